package dev.toylora.engine.openblas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.api.Backend;
import dev.toylora.model.ModelBackend;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.jspecify.annotations.NullMarked;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the engine fails when its native part is missing: in a child JVM whose class path lacks the platform jars
 * (the OpenBLAS binary) or JavaCPP altogether, the engine says why once, is listed as unavailable, and
 * {@code Backends.get} and {@code create} refuse it with that reason — nothing crashes later in a step.
 */
class NativeUnavailableTest {

    @TempDir
    Path cache;

    @Test
    void withoutTheNativeLibraryTheEngineIsRefusedWithTheReason() throws Exception {
        Result result = probe(List.of(jarOf(Loader.class), jarOf(openblas_nolapack.class)));
        String line = result.line("BACKEND\topenblas\t");
        assertTrue(line.startsWith("BACKEND\topenblas\tfalse\tOpenBLAS did not load on "), line);
        assertTrue(line.contains("UnsatisfiedLinkError") && line.contains("jniopenblas_nolapack"), line);
        assertTrue(line.contains("carries OpenBLAS for linux-x86_64 only"), line);
        assertTrue(line.endsWith(": unavailable)"), "version() still answers: " + line);
        assertRefused(result);
    }

    @Test
    void withoutJavaCppTheEngineIsRefusedWithTheReason() throws Exception {
        Result result = probe(List.of());
        String line = result.line("BACKEND\topenblas\t");
        assertTrue(line.startsWith("BACKEND\topenblas\tfalse\tOpenBLAS did not load on "), line);
        assertTrue(line.contains("NoClassDefFoundError") && line.contains("classes are missing"), line);
        assertRefused(result);
    }

    private static void assertRefused(Result result) {
        String get = result.line("GET\t");
        assertTrue(get.startsWith("GET\trefused\tbackend 'openblas' is on the classpath but cannot run here: OpenBLAS did not load"), get);
        String create = result.line("CREATE\t");
        assertTrue(create.startsWith("CREATE\trefused\tthe openblas engine cannot run here: OpenBLAS did not load"), create);
        long warnings = result.stderr.lines().filter(l -> l.contains("the openblas engine is unavailable")).count();
        assertEquals(1, warnings, "the reason is logged once:\n" + result.stderr);
    }

    private Result probe(List<Path> extra) throws Exception {
        List<Path> classPath = new ArrayList<>(List.of(jarOf(OpenBlasBackend.class), jarOf(ProbeMain.class), jarOf(Backend.class),
                jarOf(NullMarked.class), jarOf(ModelBackend.class)));
        classPath.addAll(extra);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Dorg.bytedeco.javacpp.cachedir=" + cache, "-cp",
                String.join(File.pathSeparator, classPath.stream().map(Path::toString).toList()), ProbeMain.class.getName());
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        byte[] err = process.getErrorStream().readAllBytes();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the probe finishes");
        Result result = new Result(new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
        assertEquals(0, process.exitValue(), "the probe runs to the end:\n" + result.stdout + result.stderr);
        return result;
    }

    private static Path jarOf(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private record Result(String stdout, String stderr) {
        String line(String prefix) {
            return stdout.lines().filter(l -> l.startsWith(prefix)).findFirst()
                    .orElseThrow(() -> new AssertionError("no line starting " + prefix.replace("\t", "\\t") + " in:\n" + stdout + stderr));
        }
    }
}
