package dev.toylora.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.api.Backend;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.NullMarked;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How an engine on a native library fails when its native part is missing: in a child JVM whose class path lacks the
 * platform jars (the binary) or the library's Java classes altogether, the engine says why once, is listed as
 * unavailable, and {@code Backends.get} and {@code create} refuse it with that reason — nothing crashes later in a step.
 */
public abstract class NativeUnavailableContract {

    /** The engine under test; its class's jar and those of {@link #engineClasses()} form the child's class path. */
    protected abstract Backend backend();

    /** The library as the engine names it in its reason ("OpenBLAS", "oneDNN"). */
    protected abstract String library();

    /** The platform's binary the engine reports missing without its platform jar ("jniopenblas_nolapack"). */
    protected abstract String nativeLibraryName();

    /** Classes of the jars the engine needs besides the API, the model and its own (shared kernels, say). */
    protected abstract List<Class<?>> engineClasses();

    /** Classes of the Java (not platform) jars of the native library and JavaCPP. */
    protected abstract List<Class<?>> libraryClasses();

    @TempDir
    Path cache;

    @Test
    void withoutTheNativeLibraryTheEngineIsRefusedWithTheReason() throws Exception {
        Result result = probe(libraryClasses());
        String line = result.line("BACKEND\t" + backend().name() + "\t");
        assertTrue(line.startsWith("BACKEND\t" + backend().name() + "\tfalse\t" + library() + " did not load on "), line);
        assertTrue(line.contains("UnsatisfiedLinkError") && line.contains(nativeLibraryName()), line);
        assertTrue(line.contains("carries " + library() + " for linux-x86_64 only"), line);
        assertTrue(line.endsWith(": unavailable)"), "version() still answers: " + line);
        assertRefused(result);
    }

    @Test
    void withoutJavaCppTheEngineIsRefusedWithTheReason() throws Exception {
        Result result = probe(List.of());
        String line = result.line("BACKEND\t" + backend().name() + "\t");
        assertTrue(line.startsWith("BACKEND\t" + backend().name() + "\tfalse\t" + library() + " did not load on "), line);
        assertTrue(line.contains("NoClassDefFoundError") && line.contains("classes are missing"), line);
        assertRefused(result);
    }

    private void assertRefused(Result result) {
        String name = backend().name();
        String get = result.line("GET\t");
        assertTrue(get.startsWith("GET\trefused\tbackend '" + name + "' is on the classpath but cannot run here: " + library() + " did not load"), get);
        String create = result.line("CREATE\t");
        assertTrue(create.startsWith("CREATE\trefused\tthe " + name + " engine cannot run here: " + library() + " did not load"), create);
        long warnings = result.stderr.lines().filter(l -> l.contains("the " + name + " engine is unavailable")).count();
        assertEquals(1, warnings, "the reason is logged once:\n" + result.stderr);
    }

    private Result probe(List<Class<?>> extra) throws Exception {
        List<Path> classPath = new ArrayList<>();
        for (Class<?> type : List.of(backend().getClass(), UnavailableProbe.class, Backend.class, NullMarked.class,
                dev.toylora.model.ModelBackend.class)) {
            classPath.add(jarOf(type));
        }
        for (Class<?> type : engineClasses()) classPath.add(jarOf(type));
        for (Class<?> type : extra) classPath.add(jarOf(type));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Dorg.bytedeco.javacpp.cachedir=" + cache, "-cp",
                String.join(File.pathSeparator, classPath.stream().map(Path::toString).distinct().toList()),
                UnavailableProbe.class.getName(), backend().name());
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        byte[] err = process.getErrorStream().readAllBytes();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the probe finishes");
        Result result = new Result(new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
        assertEquals(0, process.exitValue(), "the probe runs to the end:\n" + result.stdout + result.stderr);
        return result;
    }

    private static Path jarOf(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private record Result(String stdout, String stderr) {
        String line(String prefix) {
            return stdout.lines().filter(l -> l.startsWith(prefix)).findFirst()
                    .orElseThrow(() -> new AssertionError("no line starting " + prefix.replace("\t", "\\t") + " in:\n" + stdout + stderr));
        }
    }
}
