package dev.toylora.runner.pipeline;

import dev.toylora.runner.results.Metrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The processor, read from Linux's /proc/cpuinfo: its model, vendor and the instruction-set extensions that decide
 * which float32 kernels a BLAS or the JIT uses, so that two machines' numbers can be told apart. Elsewhere "unknown".
 */
public final class CpuInfo {
    /** In the order printed: what a kernel's choice turns on (vector width, fused multiply-add, bf16/fp16/int8 units). */
    static final List<String> ISA = List.of(
            "sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16",
            "avx512_fp16", "amx_tile", // x86-64
            "asimd", "asimdhp", "fphp", "sve", "sve2", "bf16", "i8mm"); // arm64

    /** ARM's "CPU implementer" codes of the vendors one meets in servers and laptops. */
    private static final Map<String, String> ARM_IMPLEMENTERS = Map.of("0x41", "ARM", "0x61", "Apple", "0x51", "Qualcomm",
            "0xc0", "Ampere", "0x48", "HiSilicon", "0x46", "Fujitsu", "0x4e", "NVIDIA");

    private static final String UNKNOWN = "unknown";

    private static volatile Metrics.@Nullable Machine current;

    private CpuInfo() {}

    /** This machine, read once. */
    public static Metrics.Machine current() {
        Metrics.Machine machine = current;
        if (machine == null) {
            String text = "";
            try {
                Path proc = Path.of("/proc/cpuinfo");
                if (Files.isReadable(proc)) text = Files.readString(proc, StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                // not Linux, or not readable: unknown
            }
            machine = parse(text, System.getProperty("os.arch", UNKNOWN));
            current = machine;
        }
        return machine;
    }

    /** The first processor's entry of a /proc/cpuinfo text (all cores of a machine are alike for what is read here). */
    static Metrics.Machine parse(String cpuinfo, String arch) {
        String model = null, vendor = null, implementer = null;
        Set<String> flags = Set.of();
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            switch (key) {
                case "model name" -> model = model == null ? value : model; // x86; on arm64 only some kernels print it
                case "vendor_id" -> vendor = vendor == null ? value : vendor;
                case "CPU implementer" -> implementer = implementer == null ? value : implementer;
                case "flags", "Features" -> flags = flags.isEmpty() ? Set.copyOf(Arrays.asList(value.split("\\s+"))) : flags;
                default -> { }
            }
        }
        if (vendor == null && implementer != null) vendor = ARM_IMPLEMENTERS.getOrDefault(implementer.toLowerCase(Locale.ROOT), "implementer " + implementer);
        List<String> isa = new ArrayList<>();
        for (String flag : ISA) if (flags.contains(flag)) isa.add(flag);
        return new Metrics.Machine(blankToUnknown(model), blankToUnknown(vendor), arch, List.copyOf(isa));
    }

    /** One line for people: {@code AMD EPYC 7B13 (AuthenticAMD, amd64: avx avx2 fma)}. */
    public static String describe(Metrics.Machine machine) {
        return machine.cpu() + " (" + machine.vendor() + ", " + machine.arch()
                + (machine.isa().isEmpty() ? "" : ": " + String.join(" ", machine.isa())) + ")";
    }

    private static String blankToUnknown(@Nullable String value) {
        return value == null || value.isBlank() ? UNKNOWN : value.replaceAll("\\s+", " ");
    }
}
