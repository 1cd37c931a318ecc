package dev.toylora.engine.openblas;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import dev.toylora.nativekernels.Sgemm;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.jspecify.annotations.Nullable;

/**
 * OpenBLAS through JavaCPP: loads the native library (bundled in the jar for one platform), checks one product,
 * sets the thread count, and multiplies row-major float matrices. Only {@link OpenBlasBackend} touches this class
 * before the library has loaded, and it catches the linkage errors a missing or broken native part raises.
 */
final class NativeBlas {
    private NativeBlas() {}

    private static final int ROW_MAJOR = openblas_nolapack.CblasRowMajor;
    private static final int NO_TRANS = openblas_nolapack.CblasNoTrans;
    private static final int TRANS = openblas_nolapack.CblasTrans;

    private static int threads;

    /**
     * Loads OpenBLAS and checks that a product comes out right; returns the number of threads it uses. Throws
     * (a {@link LinkageError} when the native library is missing or will not load) otherwise.
     */
    static synchronized int load() {
        Loader.load(openblas_nolapack.class);
        threads = chooseThreads();
        forcedKernels(System.getenv("OPENBLAS_CORETYPE"), cpuFlags()).ifPresent(warning ->
                System.getLogger(NativeBlas.class.getName()).log(System.Logger.Level.WARNING, warning));
        Sgemm.check(NativeBlas::sgemm, "OpenBLAS");
        return threads;
    }

    /**
     * One thread per product by default: the kernels split their work between two threads themselves (NativeKernels),
     * which keeps both cores busy without OpenBLAS's spinning hand-offs (ruinous when the cores are shared).
     * -Dtoylora.openblas.threads=N (or OPENBLAS_NUM_THREADS, which OpenBLAS reads itself) gives each product N threads,
     * for machines with cores to spare beyond two.
     */
    private static int chooseThreads() {
        String property = System.getProperty("toylora.openblas.threads");
        if (property != null) {
            int n = Integer.parseInt(property.trim());
            if (n < 1) throw new IllegalArgumentException("toylora.openblas.threads must be >= 1, got " + n);
            openblas_nolapack.blas_set_num_threads(n);
            return n;
        }
        String environment = System.getenv("OPENBLAS_NUM_THREADS");
        if (environment != null && !environment.isBlank()) {
            try {
                return Integer.parseInt(environment.trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        openblas_nolapack.blas_set_num_threads(1);
        return 1;
    }

    /** OpenBLAS kernel families with no AVX-512 (as OPENBLAS_CORETYPE names them, case aside). */
    private static final Set<String> WITHOUT_AVX512 = Set.of("haswell", "zen", "sandybridge", "nehalem", "prescott",
            "core2", "penryn", "dunnington", "atom", "barcelona", "bulldozer", "piledriver", "steamroller", "excavator", "katmai",
            "coppermine", "northwood", "opteron", "opteron_sse3", "bobcat", "generic");

    /**
     * OpenBLAS picks its kernels for the CPU unless OPENBLAS_CORETYPE names others. The engine keeps a user's choice, but
     * says so when it leaves the CPU's AVX-512 unused, which slows every product.
     */
    static Optional<String> forcedKernels(@Nullable String coreType, Set<String> cpuFlags) {
        if (coreType == null || coreType.isBlank() || !cpuFlags.contains("avx512f")) return Optional.empty();
        if (!WITHOUT_AVX512.contains(coreType.strip().toLowerCase(Locale.ROOT))) return Optional.empty();
        return Optional.of("OPENBLAS_CORETYPE=" + coreType.strip() + " makes OpenBLAS run kernels without AVX-512 on this CPU, which has it; "
                + "unset OPENBLAS_CORETYPE to let OpenBLAS choose the CPU's own (faster; results differ in the last bits)");
    }

    /** The CPU's feature flags from /proc/cpuinfo; none where there is no such file. */
    private static Set<String> cpuFlags() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("flags")).findFirst()
                    .map(l -> (Set<String>) new HashSet<>(Arrays.asList(l.substring(l.indexOf(':') + 1).strip().split("\\s+")))).orElse(Set.of());
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
    }

    static int threads() {
        return threads;
    }

    /**
     * C ← alpha·op(A)·op(B) + beta·C for row-major matrices: op(A) is {@code m × k}, op(B) {@code k × n}, C
     * {@code m × n}; {@code lda}, {@code ldb}, {@code ldc} are the row lengths of the stored A, B and C.
     */
    static void sgemm(boolean transposeA, boolean transposeB, int m, int n, int k, float alpha, FloatPointer a, int lda,
                      FloatPointer b, int ldb, float beta, FloatPointer c, int ldc) {
        openblas_nolapack.cblas_sgemm(ROW_MAJOR, transposeA ? TRANS : NO_TRANS, transposeB ? TRANS : NO_TRANS,
                m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }
}
