package dev.toylora.runner.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.runner.io.Json;
import dev.toylora.runner.results.Metrics;
import java.util.List;
import org.junit.jupiter.api.Test;

class CpuInfoTest {
    static final String X86 = """
            processor\t: 0
            vendor_id\t: GenuineIntel
            model name\t: Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz
            flags\t\t: fpu sse sse2 sse4_1 sse4_2 avx avx2 fma f16c avx512f avx512dq avx512bw avx512vl avx512_vnni hypervisor

            processor\t: 1
            vendor_id\t: GenuineIntel
            model name\t: Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz
            flags\t\t: fpu sse
            """;

    static final String ARM = """
            processor\t: 0
            BogoMIPS\t: 243.75
            Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs
            CPU implementer\t: 0x41
            CPU architecture: 8
            """;

    @Test
    void readsTheModelVendorAndTheInstructionSetsThatMatterOfTheFirstProcessor() {
        Metrics.Machine m = CpuInfo.parse(X86, "amd64");
        assertEquals(new Metrics.Machine("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", "GenuineIntel", "amd64",
                List.of("sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512_vnni")), m);
        assertEquals("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz (GenuineIntel, amd64: sse4_2 avx avx2 fma f16c avx512f avx512dq"
                + " avx512bw avx512vl avx512_vnni)", CpuInfo.describe(m));
    }

    @Test
    void armNamesItsVendorByImplementerCode() {
        assertEquals(new Metrics.Machine("unknown", "ARM", "aarch64", List.of("asimd", "asimdhp", "fphp")), CpuInfo.parse(ARM, "aarch64"));
    }

    @Test
    void withoutProcCpuinfoEverythingIsUnknown() {
        assertEquals(new Metrics.Machine("unknown", "unknown", "x86_64", List.of()), CpuInfo.parse("", "x86_64"));
        assertEquals("unknown (unknown, x86_64)", CpuInfo.describe(CpuInfo.parse("", "x86_64")));
    }

    @Test
    void thisMachineIsReadAndWrittenAsJson() {
        Metrics.Machine m = CpuInfo.current();
        assertTrue(Json.pretty(m).contains("\"isa\" : ["), Json.pretty(m));
        if (System.getProperty("os.name").startsWith("Linux")) assertTrue(!m.vendor().equals("unknown"), m.toString());
    }
}
