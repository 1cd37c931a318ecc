package dev.toylora.runner.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.api.Adapter;
import dev.toylora.api.Backend;
import dev.toylora.api.Backends;
import dev.toylora.api.Batch;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.Tensor;
import dev.toylora.io.peft.PeftAdapter;
import dev.toylora.io.safetensors.CheckpointMetadata;
import dev.toylora.io.safetensors.Safetensors;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code export} on a small network: merged weights as a plain base whose logits are the base+adapter's; inputs untouched. */
class ExportCommandTest {
    @TempDir
    Path dir;

    static final NetworkSpec SPEC = new NetworkSpec(12, List.of(9, 7), 10, 0.2);
    static final LoraSpec LORA = new LoraSpec(3, 6, List.of("fc1", "fc3"), true, 0.0, false);

    Backend backend = Backends.get("ojalgo");
    Path base;
    Path adapter;
    Network adapted;

    record Outcome(int exit, String out, String err) {}

    static Outcome run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Outcome(exit, out.toString(), err.toString());
    }

    /** A base and an adapter with non-zero A, B and biases, written as ResultsWriter writes them. */
    @BeforeEach
    void writeCheckpoints() {
        Network network = backend.create(SPEC, 11);
        Map<String, String> provenance = new TreeMap<>();
        provenance.put(CheckpointMetadata.DATASET, "mnist");
        provenance.put(CheckpointMetadata.OLD_CLASSES, "0,1,2,3,4,5,6,7");
        provenance.put(CheckpointMetadata.NEW_CLASSES, "8,9");
        provenance.put(CheckpointMetadata.DROPOUT, "0.2");
        provenance.put(CheckpointMetadata.BASE_SHA256, CheckpointMetadata.weightsSha256(network.weights()));
        provenance.put("toylora.experiment", "tiny");
        provenance.put("toylora.base-key", "abc");
        Map<String, String> baseMeta = new TreeMap<>(provenance);
        baseMeta.put(CheckpointMetadata.KIND, "base");
        base = dir.resolve("base.safetensors");
        Safetensors.write(base, network.weights(), baseMeta);

        Adapter attached = network.attach(LORA, 5);
        SplittableRandom random = new SplittableRandom(3);
        Map<String, Tensor> trained = new LinkedHashMap<>();
        attached.weights().forEach((name, t) -> {
            float[] values = new float[t.data().length];
            for (int i = 0; i < values.length; i++) values[i] = (float) (random.nextDouble() - 0.5);
            trained.put(name, new Tensor(t.shape(), values));
        });
        attached.load(trained);
        Map<String, String> adapterMeta = new TreeMap<>(provenance);
        adapterMeta.put(CheckpointMetadata.KIND, "lora-adapter");
        adapterMeta.putAll(CheckpointMetadata.lora(LORA));
        adapter = dir.resolve("adapter.safetensors");
        Safetensors.write(adapter, attached.weights(), adapterMeta);
        adapted = network;
    }

    @Test
    void theExportedBaseGivesTheAdaptedLogitsAndTheInputsStayAsTheyWere() throws Exception {
        byte[] baseBytes = Files.readAllBytes(base), adapterBytes = Files.readAllBytes(adapter);
        Path out = dir.resolve("out/merged.safetensors");
        Outcome o = run("export", "--base", base.toString(), "--adapter", adapter.toString(), "--out", out.toString());
        assertEquals(0, o.exit(), o.err());
        assertTrue(o.out().startsWith("wrote " + out), o.out());
        assertArrayEquals(baseBytes, Files.readAllBytes(base), "the base file is unchanged");
        assertArrayEquals(adapterBytes, Files.readAllBytes(adapter), "the adapter file is unchanged");

        Safetensors.Checkpoint exported = Safetensors.read(out);
        assertEquals(Safetensors.read(base).tensors().keySet(), exported.tensors().keySet(), "a plain base: fc1.weight, fc1.bias, …");
        Map<String, String> meta = exported.metadata();
        assertEquals("base", meta.get(CheckpointMetadata.KIND));
        assertEquals(CheckpointMetadata.weightsSha256(exported.tensors()), meta.get(CheckpointMetadata.BASE_SHA256));
        assertEquals(CheckpointMetadata.weightsSha256(Safetensors.read(base).tensors()), meta.get(ExportCommand.FROM_BASE_SHA256));
        assertEquals(base.toString(), meta.get(ExportCommand.FROM_BASE));
        assertEquals(adapter.toString(), meta.get(ExportCommand.FROM_ADAPTER));
        assertEquals(ExportCommand.fileSha256(adapter), meta.get(ExportCommand.FROM_ADAPTER_FILE_SHA256));
        assertTrue(meta.get(ExportCommand.FROM_LORA).startsWith("rank=3 alpha=6.0 scaling=2.0 targets=fc1,fc3 bias=true"), meta.get(ExportCommand.FROM_LORA));
        assertEquals("8,9", meta.get(CheckpointMetadata.NEW_CLASSES));
        assertFalse(meta.containsKey("toylora.base-key"));
        assertFalse(meta.keySet().stream().anyMatch(k -> k.startsWith("lora.")), "no adapter settings: nothing is left to attach");

        Batch batch = ExportCommand.probe(SPEC.inputs(), 200);
        float[] expected = ExportCommand.logits(adapted, batch);
        float[] actual = ExportCommand.logits(backend.restore(SPEC, exported.tensors()), batch);
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], 1e-5, "logit " + i);
        // and the base's own logits differ: the adapter (and its biases) really were merged in
        float[] plain = ExportCommand.logits(backend.restore(SPEC, Safetensors.read(base).tensors()), batch);
        double change = 0;
        for (int i = 0; i < plain.length; i++) change = Math.max(change, Math.abs(plain[i] - expected[i]));
        assertTrue(change > 0.1, "the adapter changes the logits by " + change);
    }

    @Test
    void anAdapterRefusesADifferentBase() {
        Path other = dir.resolve("other.safetensors");
        Map<String, String> meta = new TreeMap<>(Safetensors.read(base).metadata());
        Safetensors.write(other, backend.create(SPEC, 12).weights(), meta);
        Path out = dir.resolve("merged.safetensors");
        Outcome o = run("export", "--base", other.toString(), "--adapter", adapter.toString(), "--out", out.toString());
        assertEquals(2, o.exit());
        assertTrue(o.err().startsWith("error: " + adapter + ": this adapter belongs to a base with weights SHA-256 ")
                && o.err().contains("but " + other + " has ") && o.err().contains("pass the base it was trained on"), o.err());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void theInputsAreNeverTheOutputAndKindsAreChecked() throws Exception {
        byte[] before = Files.readAllBytes(base);
        Outcome o = run("export", "--base", base.toString(), "--adapter", adapter.toString(), "--out", base.toString());
        assertEquals(2, o.exit());
        assertTrue(o.err().contains(base + ": is an input of this export"), o.err());
        assertArrayEquals(before, Files.readAllBytes(base));

        o = run("export", "--base", adapter.toString(), "--adapter", base.toString(), "--out", dir.resolve("x.safetensors").toString());
        assertEquals(2, o.exit());
        assertTrue(o.err().contains(adapter + ": is a LoRA adapter"), o.err());
        o = run("export", "--base", base.toString(), "--adapter", base.toString(), "--out", dir.resolve("x.safetensors").toString());
        assertEquals(2, o.exit());
        assertTrue(o.err().contains(base + ": __metadata__.toylora.kind is 'base', expected lora-adapter"), o.err());
    }

    @Test
    void peftWritesTheAdapterAsPeftSavesItAndEveryCommandReadsItBack() throws Exception {
        Path peft = dir.resolve("peft");
        Outcome o = run("export", "--base", base.toString(), "--adapter", adapter.toString(), "--peft", peft.toString());
        assertEquals(0, o.exit(), o.err());
        assertTrue(o.out().startsWith("wrote " + peft + ": adapter_config.json (r=3, lora_alpha=6.0, target_modules=[fc1, fc3], bias=lora_only)"), o.out());
        assertFalse(Files.exists(dir.resolve("merged.safetensors")));
        Safetensors.Checkpoint file = Safetensors.read(peft.resolve(PeftAdapter.WEIGHTS));
        assertEquals(Set.of("base_model.model.fc1.lora_A.weight", "base_model.model.fc1.lora_B.weight", "base_model.model.fc1.base_layer.bias",
                "base_model.model.fc3.lora_A.weight", "base_model.model.fc3.lora_B.weight", "base_model.model.fc3.base_layer.bias"), file.tensors().keySet());
        assertEquals("pt", file.metadata().get("format"));
        assertEquals(CheckpointMetadata.weightsSha256(Safetensors.read(base).tensors()), file.metadata().get(CheckpointMetadata.BASE_SHA256));
        assertFalse(file.metadata().keySet().stream().anyMatch(k -> k.startsWith("lora.")), "adapter_config.json holds the settings");

        // the directory is an adapter wherever a file is: merged, it gives the model the file gives
        Path fromFile = dir.resolve("from-file.safetensors"), fromDir = dir.resolve("from-dir.safetensors");
        assertEquals(0, run("export", "--base", base.toString(), "--adapter", adapter.toString(), "--out", fromFile.toString()).exit());
        Outcome merged = run("export", "--base", base.toString(), "--adapter", peft.toString(), "--out", fromDir.toString(), "--peft", dir.resolve("again").toString());
        assertEquals(0, merged.exit(), merged.err());
        Map<String, Tensor> a = Safetensors.read(fromFile).tensors(), b = Safetensors.read(fromDir).tensors();
        assertEquals(a.keySet(), b.keySet());
        a.forEach((name, t) -> assertTrue(t.sameAs(b.get(name)), name));
        assertArrayEquals(Files.readAllBytes(peft.resolve(PeftAdapter.CONFIG)), Files.readAllBytes(dir.resolve("again").resolve(PeftAdapter.CONFIG)));

        Path other = dir.resolve("other.safetensors");
        Safetensors.write(other, backend.create(SPEC, 12).weights(), Safetensors.read(base).metadata());
        Outcome refused = run("export", "--base", other.toString(), "--adapter", peft.toString(), "--out", dir.resolve("x.safetensors").toString());
        assertEquals(2, refused.exit());
        assertTrue(refused.err().contains(peft + ": this adapter belongs to a base with weights SHA-256"), refused.err());
    }

    @Test
    void exportNeedsSomethingToWrite() {
        Outcome o = run("export", "--base", base.toString(), "--adapter", adapter.toString());
        assertEquals(2, o.exit());
        assertTrue(o.err().contains("give --out FILE (the merged model) or --peft DIR"), o.err());
    }
}
