package dev.toylora.runner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.api.Adapter;
import dev.toylora.api.Backends;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.Tensor;
import dev.toylora.io.data.KnownDataset;
import dev.toylora.io.data.RealData;
import dev.toylora.io.safetensors.CheckpointMetadata;
import dev.toylora.io.safetensors.Safetensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code runner adapters}: bad arguments and mismatched files fail in one line before any data is read. */
class AdaptersCommandTest {
    private static final NetworkSpec SMALL = new NetworkSpec(784, List.of(16), 10, 0.2);

    @TempDir
    Path dir;

    @Test
    void anAdapterWithoutNameIsRefusedWithTheExpectedSyntax() throws Exception {
        Path base = base("base.safetensors", 1);
        MainTest.Outcome o = MainTest.run("adapters", "--base", base.toString(), "--adapter", dir.resolve("a.safetensors").toString());
        assertEquals(2, o.exit());
        assertTrue(o.err().contains("expected NAME=FILE"), o.err());
        noStackTrace(o);
        MainTest.Outcome twice = MainTest.run("adapters", "--base", base.toString(), "--adapter", "a=" + adapter("a.safetensors", base, 2, 3),
                "--adapter", "a=" + adapter("b.safetensors", base, 2, 4));
        assertEquals(2, twice.exit());
        assertTrue(twice.err().contains("'a' is already given to"), twice.err());
    }

    @Test
    void anUnknownNameOrABadWeightInCombineIsRefused() throws Exception {
        Path base = base("base.safetensors", 1);
        Path a = adapter("a.safetensors", base, 2, 3);
        MainTest.Outcome o = MainTest.run("adapters", "--base", base.toString(), "--adapter", "eight=" + a, "--combine", "eight=1,ten=1");
        assertEquals(2, o.exit());
        assertTrue(o.err().contains("no adapter named 'ten'") && o.err().contains("[eight]"), o.err());
        noStackTrace(o);
        MainTest.Outcome weight = MainTest.run("adapters", "--base", base.toString(), "--adapter", "eight=" + a, "--combine", "eight=x");
        assertEquals(2, weight.exit());
        assertTrue(weight.err().contains("'eight=x' is not NAME=WEIGHT"), weight.err());
        MainTest.Outcome mode = MainTest.run("adapters", "--base", base.toString(), "--adapter", "eight=" + a, "--combine", "eight=1", "--mode", "svd");
        assertEquals(2, mode.exit());
        assertTrue(mode.err().contains("expected cat or linear"), mode.err());
    }

    @Test
    void anAdapterOfAnotherBaseIsRefusedNamingBothFiles() throws Exception {
        Path base = base("base.safetensors", 1);
        Path other = base("other.safetensors", 9);
        Path a = adapter("a.safetensors", other, 2, 3);
        Path out = dir.resolve("out");
        MainTest.Outcome o = MainTest.run("adapters", "--base", base.toString(), "--adapter", "eight=" + a, "--out", out.toString());
        assertEquals(2, o.exit());
        assertTrue(o.err().contains(a.toString()) && o.err().contains("belongs to a base with weights SHA-256")
                && o.err().contains(base + " has "), o.err());
        noStackTrace(o);
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void linearRefusesAdaptersOfDifferentRanks() throws Exception {
        Path base = base("base.safetensors", 1);
        MainTest.Outcome o = MainTest.run("adapters", "--base", base.toString(), "--adapter", "a=" + adapter("a.safetensors", base, 2, 3),
                "--adapter", "b=" + adapter("b.safetensors", base, 4, 4), "--combine", "a=1,b=1", "--mode", "linear");
        assertEquals(2, o.exit());
        assertTrue(o.err().contains("--combine a=1,b=1 --mode linear") && o.err().contains("same rank"), o.err());
        noStackTrace(o);
    }

    @Test
    @Tag("mnist")
    void writesTheTableOfTheBaseEachAdapterAndEachCombination() throws Exception {
        Path data = RealData.require(KnownDataset.MNIST);
        Path base = base("base.safetensors", 1);
        Path a = adapter("a.safetensors", base, 2, 3);
        Path b = adapter("b.safetensors", base, 2, 4);
        Path out = dir.resolve("out");
        MainTest.Outcome o = MainTest.run("adapters", "--base", base.toString(), "--adapter", "a=" + a, "--adapter", "b=" + b,
                "--combine", "a=1", "--combine", "a=0.5,b=1.5", "--mode", "linear,cat", "--data", data.toString(), "--out", out.toString());
        assertEquals(0, o.exit(), o.err());
        assertTrue(o.out().contains("| class | test images | base % | a % | b % | a (linear) % | a (cat) % | 0.5·a + 1.5·b (linear) % | 0.5·a + 1.5·b (cat) % |"),
                o.out());
        assertTrue(Files.readString(out.resolve("adapters.md")).contains(o.out().substring(0, o.out().indexOf("wrote"))));
        List<String> csv = Files.readAllLines(out.resolve("adapters.csv"));
        assertEquals(1 + 7 * 13, csv.size(), "a header, then 10 classes + old + new + overall for each of 7 models");
        // One adapter with weight 1 is that adapter, either way (the same update up to float rounding).
        assertEquals(column(csv, "a,"), column(csv, "a (linear),"));
        assertEquals(column(csv, "a,"), column(csv, "a (cat),"));

        MainTest.Outcome again = MainTest.run("adapters", "--base", base.toString(), "--adapter", "a=" + a, "--data", data.toString(),
                "--out", dir.toString());
        assertEquals(2, again.exit(), "a folder holding other files is not replaced");
        assertTrue(again.err().contains("holds other files"), again.err());
    }

    private static List<String> column(List<String> csv, String prefix) {
        // model,kind,weights, then row,test_images,correct,accuracy
        return csv.stream().filter(l -> l.startsWith(prefix)).map(l -> l.split(",", 4)[3]).toList();
    }

    private static void noStackTrace(MainTest.Outcome o) {
        assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
    }

    private Path base(String name, long seed) {
        Network network = Backends.get("ojalgo").create(SMALL, seed);
        Path file = dir.resolve(name);
        Map<String, String> meta = new TreeMap<>(Map.of(CheckpointMetadata.KIND, "base", CheckpointMetadata.DATASET, "mnist",
                CheckpointMetadata.OLD_CLASSES, "0,1,2,3,4,5,6,7", CheckpointMetadata.NEW_CLASSES, "8,9", CheckpointMetadata.DROPOUT, "0.2"));
        Safetensors.write(file, network.weights(), meta);
        return file;
    }

    /** An adapter of that base on fc1 and fc2 with random B and trained biases. */
    private Path adapter(String name, Path base, int rank, long seed) {
        Map<String, Tensor> weights = Safetensors.read(base).tensors();
        Network network = Backends.get("ojalgo").restore(SMALL, weights);
        LoraSpec spec = new LoraSpec(rank, 2 * rank, List.of("fc1", "fc2"), true, 0.0, false);
        Adapter adapter = network.attach(spec, seed);
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Tensor> tensors = new TreeMap<>(adapter.weights());
        tensors.replaceAll((n, t) -> {
            if (n.endsWith("lora_A.weight")) return t;
            float[] values = t.data().clone();
            for (int i = 0; i < values.length; i++) values[i] += (float) (0.2 * (random.nextDouble() - 0.5));
            return new Tensor(t.shape(), values);
        });
        Map<String, String> meta = new TreeMap<>(CheckpointMetadata.lora(spec));
        meta.put(CheckpointMetadata.KIND, "lora-adapter");
        meta.put(CheckpointMetadata.BASE_SHA256, CheckpointMetadata.weightsSha256(weights));
        Path file = dir.resolve(name);
        Safetensors.write(file, tensors, meta);
        return file;
    }
}
