package dev.toylora.runner.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.api.LoraSpec;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.Tensor;
import dev.toylora.runner.analysis.AnalysisFiles;
import dev.toylora.runner.analysis.AnalysisReport;
import dev.toylora.io.safetensors.CheckpointMetadata;
import dev.toylora.io.safetensors.Safetensors;
import dev.toylora.io.data.KnownDataset;
import dev.toylora.io.data.RealData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runner analyze} end to end on a small model of MNIST's shape (784 → 6 → 10, so it takes seconds), and its
 * answers to bad input: one line naming the file and what was expected, exit code 2, nothing written.
 */
class AnalyzeCommandTest {
    private static final NetworkSpec SPEC = new NetworkSpec(784, List.of(6), 10, 0.2);
    private static final Path RESULTS = RealData.repoRoot().resolve("results");

    @TempDir
    Path dir;

    /** A base, a full fine-tune of it and two adapters (ranks 1 and 2) in {@code dir}. */
    private record Files4(Path base, Path full, Path r1, Path r2) {}

    private Files4 files() {
        Random random = new Random(11);
        Map<String, Tensor> base = weights(random, 0.05f);
        Map<String, Tensor> full = new LinkedHashMap<>();
        base.forEach((name, t) -> full.put(name, add(t, random, 0.02f)));
        String sha = CheckpointMetadata.weightsSha256(base);
        Map<String, String> baseMeta = Map.of(CheckpointMetadata.KIND, "base", CheckpointMetadata.DATASET, "mnist",
                CheckpointMetadata.OLD_CLASSES, "0,1,2,3,4,5,6,7", CheckpointMetadata.NEW_CLASSES, "8,9", CheckpointMetadata.DROPOUT, "0.2");
        Files4 files = new Files4(dir.resolve("base.safetensors"), dir.resolve("full.safetensors"), dir.resolve("r1.safetensors"), dir.resolve("r2.safetensors"));
        Safetensors.write(files.base(), base, baseMeta);
        Map<String, String> fullMeta = new LinkedHashMap<>(baseMeta);
        fullMeta.put(CheckpointMetadata.KIND, "full-finetune");
        fullMeta.put(CheckpointMetadata.BASE_SHA256, sha);
        Safetensors.write(files.full(), full, fullMeta);
        Safetensors.write(files.r1(), adapter(random, 1), adapterMeta(1, sha));
        Safetensors.write(files.r2(), adapter(random, 2), adapterMeta(2, sha));
        return files;
    }

    private static Map<String, Tensor> weights(Random random, float scale) {
        Map<String, Tensor> w = new LinkedHashMap<>();
        for (NetworkSpec.LayerShape l : SPEC.layerShapes()) {
            w.put(l.name() + ".weight", random(random, scale, l.outputs(), l.inputs()));
            w.put(l.name() + ".bias", random(random, scale, l.outputs()));
        }
        return w;
    }

    private static Map<String, Tensor> adapter(Random random, int rank) {
        return adapter(random, rank, SPEC.layerNames());
    }

    private static Map<String, Tensor> adapter(Random random, int rank, List<String> targets) {
        Map<String, Tensor> w = new LinkedHashMap<>();
        for (NetworkSpec.LayerShape l : SPEC.layerShapes()) {
            if (!targets.contains(l.name())) continue;
            w.put(LoraSpec.nameOfA(l.name()), random(random, 0.1f, LoraSpec.shapeOfA(rank, l.inputs())));
            w.put(LoraSpec.nameOfB(l.name()), random(random, 0.1f, LoraSpec.shapeOfB(rank, l.outputs())));
        }
        return w;
    }

    private static Map<String, String> adapterMeta(int rank, String baseSha) {
        return adapterMeta(rank, baseSha, SPEC.layerNames());
    }

    private static Map<String, String> adapterMeta(int rank, String baseSha, List<String> targets) {
        Map<String, String> meta = new LinkedHashMap<>(CheckpointMetadata.lora(LoraSpec.of(rank, 2 * rank, targets)));
        meta.put(CheckpointMetadata.KIND, "lora-adapter");
        meta.put(CheckpointMetadata.BASE_SHA256, baseSha);
        return meta;
    }

    private static Tensor random(Random random, float scale, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.data().length; i++) t.data()[i] = scale * (float) random.nextGaussian();
        return t;
    }

    private static Tensor add(Tensor t, Random random, float scale) {
        Tensor out = t.copy();
        for (int i = 0; i < out.data().length; i++) out.data()[i] += scale * (float) random.nextGaussian();
        return out;
    }

    private List<String> arguments(Files4 f, String... more) {
        List<String> args = new ArrayList<>(List.of("analyze", "--base", f.base().toString(), "--full", f.full().toString(),
                "--adapter", "r1=" + f.r1(), "--adapter", "r2=" + f.r2(), "--similarity", "r1:r2", "--out", dir.resolve("analysis").toString()));
        args.addAll(List.of(more));
        return args;
    }

    @Test
    @Tag("mnist")
    void writesTheWholeFolderAndTheReadmeSectionTheSameEachTime() throws Exception {
        Path data = RealData.require(KnownDataset.MNIST);
        Files4 f = files();
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, "# r\n\n" + AnalysisReport.BEGIN + "\nstale\n" + AnalysisReport.END + "\n\nafter\n");

        MainTest.Outcome o = MainTest.run(arguments(f, "--data", data.toString(), "--readme", readme.toString()).toArray(String[]::new));
        assertEquals(0, o.exit(), o.err());
        Path out = dir.resolve("analysis");
        for (String name : List.of("analysis.json", "analysis.md", "spectrum.csv", "similarity.csv", "table7.csv", "full-in-adapters.csv", "accuracy.csv",
                "spectrum.png", "spectrum.svg", "similarity-r1-vs-r2.png", "similarity-r1-vs-r2.svg", "amplification.png", "amplification.svg",
                "accuracy.png", "accuracy.svg", "full-in-adapters.png", "full-in-adapters.svg")) {
            assertTrue(Files.size(out.resolve(name)) > 0, name);
        }
        try (Stream<Path> all = Files.list(dir)) {
            assertEquals(List.of(), all.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList(), "nothing left aside");
        }
        String text = Files.readString(readme);
        assertTrue(text.contains("### 1. The spectrum of the full update") && text.contains("](analysis/spectrum.png)") && !text.contains("stale"), text);
        assertTrue(text.endsWith(AnalysisReport.END + "\n\nafter\n"), text);
        var result = AnalysisFiles.read(out);
        assertEquals(List.of("fc1", "fc2"), result.layers().stream().map(l -> l.layer()).toList());
        assertEquals(List.of(1, 2), result.accuracy().truncated().stream().map(t -> t.rank()).toList());
        assertEquals(2, result.layers().get(0).adapters().get(1).correlation().rank());

        byte[] json = Files.readAllBytes(out.resolve("analysis.json"));
        MainTest.Outcome again = MainTest.run(arguments(f, "--data", data.toString(), "--readme", readme.toString()).toArray(String[]::new));
        assertEquals(0, again.exit(), again.err());
        assertArrayEquals(json, Files.readAllBytes(out.resolve("analysis.json")), "the same files give the same analysis");
        assertEquals(text, Files.readString(readme));
    }

    /** Exit code 2, one line on stderr naming what is wrong, and no output folder. */
    private MainTest.Outcome refused(List<String> args, String... expected) {
        MainTest.Outcome o = MainTest.run(args.toArray(String[]::new));
        assertEquals(2, o.exit(), o.out() + o.err());
        String err = o.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.startsWith("error: "), err);
        for (String part : expected) assertTrue(err.contains(part), "'" + part + "' in: " + err);
        assertFalse(Files.exists(dir.resolve("analysis")), "nothing written");
        return o;
    }

    @Test
    void aMissingFileIsNamed() {
        Files4 f = files();
        refused(arguments(new Files4(dir.resolve("nowhere.safetensors"), f.full(), f.r1(), f.r2())), "nowhere.safetensors", "no such file");
        refused(arguments(new Files4(f.base(), f.full(), f.r1(), dir.resolve("gone.safetensors"))), "gone.safetensors", "no such file");
    }

    @Test
    void anAdapterOfAnotherBaseIsRefused() {
        // the seed sweep pretrains a base per seed: seed 7's adapter does not belong to the full fine-tune's base
        Path base = RESULTS.resolve("full-finetune/checkpoints/base.safetensors");
        Path seven = RESULTS.resolve("lora-r16-seeds/seed=7/checkpoints/adapter.safetensors");
        refused(List.of("analyze", "--base", base.toString(), "--full", RESULTS.resolve("full-finetune/checkpoints/finetuned.safetensors").toString(),
                "--adapter", "seven=" + seven, "--out", dir.resolve("analysis").toString()), seven.toString(), "belongs to a base with weights SHA-256");
        Files4 f = files();
        refused(arguments(new Files4(f.base(), f.full(), seven, f.r2())), seven.toString(), "belongs to a base");
    }

    @Test
    void aFullFineTuneOfAnotherBaseOrNotAFullFineTuneIsRefused() {
        Files4 f = files();
        refused(arguments(new Files4(f.base(), RESULTS.resolve("full-finetune/checkpoints/finetuned.safetensors"), f.r1(), f.r2())),
                "finetuned.safetensors", "fine-tune started from a base with weights SHA-256");
        refused(arguments(new Files4(f.base(), f.r1(), f.r1(), f.r2())), f.r1().toString(), "expected full-finetune");
    }

    @Test
    void anAdapterOfTheWrongShapeIsRefused() {
        Files4 f = files();
        Safetensors.Checkpoint good = Safetensors.read(f.r1());
        Map<String, Tensor> bad = new LinkedHashMap<>(good.tensors());
        bad.put("fc2.lora_A.weight", Tensor.zeros(1, 5));
        Path file = dir.resolve("bad.safetensors");
        Safetensors.write(file, bad, good.metadata());
        refused(arguments(new Files4(f.base(), f.full(), file, f.r2())), file.toString(), "fc2.lora_A.weight", "expected [1, 6]");
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingIsRead() throws Exception {
        Files4 f = files();
        List<String> unknown = arguments(f);
        unknown.set(unknown.indexOf("r1:r2"), "r1:r9");
        refused(unknown, "--similarity 'r1:r9'", "no adapter named 'r9'");

        String sha = CheckpointMetadata.weightsSha256(Safetensors.read(f.base()).tensors());
        Path onlyFc2 = dir.resolve("fc2-only.safetensors");
        Safetensors.write(onlyFc2, adapter(new Random(12), 1, List.of("fc2")), adapterMeta(1, sha, List.of("fc2")));
        Path onlyFc1 = dir.resolve("fc1-only.safetensors");
        Safetensors.write(onlyFc1, adapter(new Random(13), 1, List.of("fc1")), adapterMeta(1, sha, List.of("fc1")));
        refused(arguments(new Files4(f.base(), f.full(), onlyFc1, onlyFc2)), "--similarity r1:r2", "φ needs a layer both adapt");

        Path readme = dir.resolve("README.md");
        Files.writeString(readme, "no markers\n");
        refused(arguments(f, "--readme", readme.toString()), readme.toString(), AnalysisReport.BEGIN);

        Path taken = dir.resolve("analysis");
        Files.createDirectories(taken);
        Files.writeString(taken.resolve("notes.txt"), "mine");
        MainTest.Outcome o = MainTest.run(arguments(f).toArray(String[]::new));
        assertEquals(2, o.exit(), o.err());
        assertTrue(o.err().contains("holds files but no analysis.json"), o.err());
        assertEquals("mine", Files.readString(taken.resolve("notes.txt")), "a folder of someone else's files is left alone");
    }
}
