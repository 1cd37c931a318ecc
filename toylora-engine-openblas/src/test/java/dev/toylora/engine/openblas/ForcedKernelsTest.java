package dev.toylora.engine.openblas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The engine names an OPENBLAS_CORETYPE that leaves a CPU's AVX-512 unused, and stays quiet otherwise. */
class ForcedKernelsTest {
    private static final Set<String> AVX512 = Set.of("fma", "avx2", "avx512f", "avx512bw");
    private static final Set<String> AVX2 = Set.of("fma", "avx2");

    @Test
    void anAvx2CoreTypeOnAnAvx512CpuIsNamedWithTheFix() {
        String warning = NativeBlas.forcedKernels("Haswell", AVX512).orElseThrow();
        assertTrue(warning.startsWith("OPENBLAS_CORETYPE=Haswell makes OpenBLAS run kernels without AVX-512"), warning);
        assertTrue(warning.contains("unset OPENBLAS_CORETYPE"), warning);
        assertTrue(NativeBlas.forcedKernels(" zen ", AVX512).isPresent(), "case and spaces aside");
    }

    @Test
    void noWarningWithoutAnOverrideOnACpuWithoutAvx512OrForAnAvx512Core() {
        assertEquals(Optional.empty(), NativeBlas.forcedKernels(null, AVX512));
        assertEquals(Optional.empty(), NativeBlas.forcedKernels("", AVX512));
        assertEquals(Optional.empty(), NativeBlas.forcedKernels("Haswell", AVX2));
        assertEquals(Optional.empty(), NativeBlas.forcedKernels("SkylakeX", AVX512));
        assertEquals(Optional.empty(), NativeBlas.forcedKernels("Cooperlake", AVX512));
    }
}
