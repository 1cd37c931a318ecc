package dev.toylora.swap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toylora.engine.java.JavaBackend;
import dev.toylora.engine.openblas.OpenBlasBackend;
import dev.toylora.runner.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner with engines added the ways docs/engines.md shows, each in a child JVM: which engine ran is read from
 * {@code metrics.json}. The runs are tiny (no pretraining, a 784-16-10 network, one fine-tuning epoch on 8s and 9s);
 * the listing checks need no data.
 */
class EngineSwapTest {
    private static final String MAIN = Main.class.getName();

    @TempDir
    Path work;

    @Test
    void thePluginsFolderBesideRunnerJarAddsTheEngine() throws Exception {
        Path runner = installRunnerWithPlugin();
        Children.Outcome listed = Children.run(work, List.of("-jar", runner.toString(), "backends"));
        assertEquals(0, listed.exit(), listed.all());
        assertTrue(listed.stdout().lines().anyMatch(l -> l.startsWith("openblas") && l.endsWith("usable")), listed.stdout());
        assertTrue(listed.stdout().lines().anyMatch(l -> l.startsWith("ojalgo") && l.endsWith("usable")), listed.stdout());
    }

    @Test
    void withoutPluginsRunnerJarHasOnlyOjAlgoAndSaysWhatThereIs() throws Exception {
        Path runner = Children.packagedBeside(Main.class, "runner.jar");
        Children.Outcome listed = Children.run(work, List.of("-jar", runner.toString(), "backends"));
        assertEquals(0, listed.exit(), listed.all());
        assertFalse(listed.stdout().contains("openblas"), listed.stdout());
        Children.Outcome refused = Children.run(work, List.of("-jar", runner.toString(), "validate", experimentFile().toString(), "backend=openblas"));
        assertEquals(2, refused.exit(), refused.all());
        assertTrue(refused.all().contains("no backend named 'openblas'") && refused.all().contains("available: ojalgo"), refused.all());
    }

    @Test
    @Tag("mnist")
    void runnerJarAndTheEngineJarOnTheClassPath() throws Exception {
        Path runner = Children.packagedBeside(Main.class, "runner.jar");
        Path engine = Children.packagedBeside(OpenBlasBackend.class, "engine-openblas.jar");
        assertEquals("openblas", runTiny(List.of("-cp", runner + java.io.File.pathSeparator + engine, MAIN), "openblas"));
    }

    @Test
    @Tag("mnist")
    void theOneDnnEngineJarOnTheClassPath() throws Exception {
        Path runner = Children.packagedBeside(Main.class, "runner.jar");
        assertEquals("onednn", runTiny(List.of("-cp", runner + java.io.File.pathSeparator + oneDnnJar(), MAIN), "onednn"));
    }

    @Test
    void bothNativeEnginesInPluginsAreUsableInRankOrder() throws Exception {
        Path runner = installRunnerWithPlugin();
        Files.copy(oneDnnJar(), runner.resolveSibling("plugins").resolve("engine-onednn.jar"));
        Children.Outcome listed = Children.run(work, List.of("-jar", runner.toString(), "backends"));
        assertEquals(0, listed.exit(), listed.all());
        List<String> engines = listed.stdout().lines().filter(l -> l.endsWith("usable")).map(l -> l.split("\\s+")[0]).toList();
        assertEquals(List.of("onednn", "openblas", "ojalgo"), engines, listed.all());
    }

    /**
     * engine-onednn.jar, beside engine-openblas.jar's module in the same build (not a dependency of this module: its
     * JavaCPP would join the class path the other tests build from).
     */
    private static Path oneDnnJar() throws Exception {
        Path openBlas = Children.packagedBeside(OpenBlasBackend.class, "engine-openblas.jar");
        Path file = Path.of(openBlas.toString().replace("toylora-engine-openblas", "toylora-engine-onednn").replace("engine-openblas.jar", "engine-onednn.jar"));
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(file), "engine-onednn.jar is not built yet (expected at " + file + ")");
        return file;
    }

    @Test
    @Tag("mnist")
    void thePlainJavaEngineJarOnTheClassPath() throws Exception {
        // The third engine is its kernels and a Backend (the model comes from toylora-model): the seam works for any engine.
        Path runner = Children.packagedBeside(Main.class, "runner.jar");
        Path engine = Children.packagedBeside(JavaBackend.class, "engine-java.jar");
        assertEquals("java", runTiny(List.of("-cp", runner + java.io.File.pathSeparator + engine, MAIN), "java"));
    }

    @Test
    @Tag("mnist")
    void thePluginsFolderRunsTheEngine() throws Exception {
        Path runner = installRunnerWithPlugin();
        assertEquals("openblas", runTiny(List.of("-jar", runner.toString()), "openblas"));
    }

    @Test
    @Tag("mnist")
    void onlyTheApiAndTheOpenBlasEngine() throws Exception {
        // The ojAlgo engine and ojAlgo ride along with the runner at run time only: found by name.
        String classPath = Children.classPath(without(Class.forName("dev.toylora.engine.ojalgo.OjAlgoBackend"), Class.forName("org.ojalgo.OjAlgoUtils"), JavaBackend.class));
        assertEquals("openblas", runTiny(List.of("-cp", classPath, MAIN), "openblas"));
        Children.Outcome refused = Children.run(work, List.of("-cp", classPath, MAIN, "validate", experimentFile().toString(), "backend=ojalgo"));
        assertEquals(2, refused.exit(), refused.all());
        assertTrue(refused.all().contains("no backend named 'ojalgo'") && refused.all().contains("available: openblas"), refused.all());
    }

    @Test
    @Tag("mnist")
    void onlyTheApiAndTheOjAlgoEngine() throws Exception {
        String classPath = Children.classPath(without(OpenBlasBackend.class, Loader.class, openblas_nolapack.class, JavaBackend.class));
        assertEquals("ojalgo", runTiny(List.of("-cp", classPath, MAIN), "ojalgo"));
        Children.Outcome refused = Children.run(work, List.of("-cp", classPath, MAIN, "validate", experimentFile().toString(), "backend=openblas"));
        assertEquals(2, refused.exit(), refused.all());
        assertTrue(refused.all().contains("no backend named 'openblas'") && refused.all().contains("available: ojalgo"), refused.all());
    }

    /** runner.jar copied into a folder of its own, with engine-openblas.jar in plugins/ beside it. */
    private Path installRunnerWithPlugin() throws Exception {
        Path folder = Files.createDirectories(work.resolve("install"));
        Path runner = Files.copy(Children.packagedBeside(Main.class, "runner.jar"), folder.resolve("runner.jar"));
        Path plugins = Files.createDirectories(folder.resolve("plugins"));
        Files.copy(Children.packagedBeside(OpenBlasBackend.class, "engine-openblas.jar"), plugins.resolve("engine-openblas.jar"));
        return runner;
    }

    /** Class path entries other than those holding {@code types} (and the other engines' natives alongside). */
    private static Predicate<Path> without(Class<?>... types) throws Exception {
        List<Path> excluded = new ArrayList<>();
        for (Class<?> type : types) excluded.add(Children.entryOf(type));
        boolean withoutJavaCpp = List.of(types).contains(Loader.class);
        return entry -> !excluded.contains(entry)
                && !(withoutJavaCpp && entry.getFileName().toString().matches("(javacpp|openblas)-.*\\.jar"));
    }

    private static Path experimentFile() {
        return Children.repositoryRoot().resolve("experiments/lora-r16.yaml");
    }

    /** Runs lora-r16.yaml shrunk to seconds with {@code backend}, and returns metrics.json's backend. */
    private String runTiny(List<String> java, String backend) throws Exception {
        Path results = work.resolve("results-" + backend);
        List<String> arguments = new ArrayList<>(java);
        arguments.addAll(List.of("--no-progress", "--results", results.toString(), experimentFile().toString(), "backend=" + backend,
                "name=swap", "data.dir=" + Children.mnist(), "pretrain.epochs=0", "finetune.epochs=1", "finetune.replay=0",
                "model.hidden=[16]", "finetune.lora.targets=[fc1]"));
        Children.Outcome outcome = Children.run(work, arguments);
        assertEquals(0, outcome.exit(), outcome.all());
        JsonNode metrics = new ObjectMapper().readTree(results.resolve("swap/metrics.json").toFile());
        assertTrue(metrics.path("backend_version").asText().startsWith("0."), metrics.path("backend_version").asText());
        assertTrue(metrics.path("adapted").path("new").asDouble() > 50, "the adapter learned 8 and 9: " + metrics.path("adapted"));
        return metrics.path("backend").asText();
    }

}
