package dev.toylora.io;

import static dev.toylora.io.data.IdxFiles.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.api.Adapter;
import dev.toylora.api.Backend;
import dev.toylora.api.Backends;
import dev.toylora.api.Batch;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.OptimizerSpec;
import dev.toylora.api.Trainer;
import dev.toylora.io.peft.PeftAdapter;
import dev.toylora.io.safetensors.CheckpointException;
import dev.toylora.io.safetensors.CheckpointMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saving and loading bases and adapters with the plain-Java engine: what is loaded computes what was saved, bit for bit. */
class ModelFilesTest {
    static final NetworkSpec SPEC = new NetworkSpec(12, List.of(9, 7), 4, 0.2);
    static final LoraSpec LORA = new LoraSpec(3, 6, List.of("fc1", "fc3"), true, 0.0, false);

    @TempDir
    Path dir;

    final Backend backend = Backends.get("java");

    static Batch batch(int rows, int columns, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] features = new float[rows * columns];
        int[] labels = new int[rows];
        for (int i = 0; i < features.length; i++) features[i] = (float) random.nextGaussian();
        for (int i = 0; i < rows; i++) labels[i] = random.nextInt(4);
        return new Batch(features, labels, rows, columns);
    }

    /** A base, and an adapter trained a few steps so that A, B and the biases are all non-trivial. */
    Network trained(Network network) {
        Adapter adapter = network.attach(LORA, 5);
        Trainer trainer = network.trainer(OptimizerSpec.adam(0.05), 9);
        for (int i = 0; i < 5; i++) trainer.step(batch(16, SPEC.inputs(), i));
        return network;
    }

    @Test
    void baseAndAdapterRoundTripAsFilesAndAsPeftDirectories() {
        Network network = backend.create(SPEC, 3);
        ModelFiles.BaseFile base = ModelFiles.saveBase(dir.resolve("base.safetensors"), network, Map.of("note", "kept"));
        assertEquals("kept", ModelFiles.readBase(dir.resolve("base.safetensors")).metadata().get("note"));
        assertEquals(SPEC, base.spec());
        Adapter adapter = trained(network).adapter().orElseThrow();
        ModelFiles.saveAdapter(dir.resolve("adapter.safetensors"), adapter, base);
        ModelFiles.savePeftAdapter(dir.resolve("peft"), adapter, base);
        Batch probe = batch(8, SPEC.inputs(), 99);
        float[] expected = network.logits(probe);

        for (Path saved : List.of(dir.resolve("adapter.safetensors"), dir.resolve("peft"))) {
            Network restored = ModelFiles.loadBase(dir.resolve("base.safetensors"), backend);
            Adapter loaded = ModelFiles.loadAdapter(saved, restored);
            assertEquals(LORA, loaded.spec(), saved.toString());
            assertArrayEquals(expected, restored.logits(probe), saved.toString());
        }
        ModelFiles.AdapterFile peft = ModelFiles.readAdapter(dir.resolve("peft"));
        assertTrue(peft.peft());
        assertEquals(base.weightsSha256(), peft.baseSha256().orElseThrow(), "the PEFT directory records its base too");
    }

    @Test
    void anAdapterIsLoadedOntoItsOwnBaseOnly() {
        Network network = backend.create(SPEC, 3);
        ModelFiles.BaseFile base = ModelFiles.saveBase(dir.resolve("base.safetensors"), network);
        ModelFiles.saveAdapter(dir.resolve("adapter.safetensors"), trained(network).adapter().orElseThrow(), base);
        Network other = backend.create(SPEC, 4);
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelFiles.loadAdapter(dir.resolve("adapter.safetensors"), other));
        assertMessage(e, "adapter.safetensors", "belongs to a base with weights SHA-256 " + base.weightsSha256(), "pass the base it was trained on");
    }

    @Test
    void aPeftDirectoryThatRecordsNoBaseIsCheckedByItsShapes() throws Exception {
        Network network = backend.create(SPEC, 3);
        ModelFiles.BaseFile base = ModelFiles.saveBase(dir.resolve("base.safetensors"), network);
        Adapter adapter = trained(network).adapter().orElseThrow();
        // as PEFT itself writes it: no ToyLoRA metadata
        PeftAdapter.write(dir.resolve("peft"), adapter.spec(), adapter.weights(), Map.of(), "base.safetensors");
        Network restored = base.restore(backend);
        ModelFiles.loadAdapter(dir.resolve("peft"), restored);
        assertArrayEquals(network.logits(batch(4, 12, 1)), restored.logits(batch(4, 12, 1)));

        Network wider = backend.create(new NetworkSpec(12, List.of(10, 7), 4, 0.2), 3);
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelFiles.loadAdapter(dir.resolve("peft"), wider));
        assertMessage(e, dir.resolve("peft").toString(), "shape");
    }

    @Test
    void kindsAreCheckedAndStatesRefused() {
        Network network = backend.create(SPEC, 3);
        ModelFiles.BaseFile base = ModelFiles.saveBase(dir.resolve("base.safetensors"), network);
        Adapter adapter = trained(network).adapter().orElseThrow();
        assertMessage(assertThrows(IllegalStateException.class, () -> ModelFiles.saveBase(dir.resolve("b2.safetensors"), network)),
                "adapter attached");
        ModelFiles.saveAdapter(dir.resolve("adapter.safetensors"), adapter, base);
        assertMessage(assertThrows(CheckpointException.class, () -> ModelFiles.readBase(dir.resolve("adapter.safetensors"))),
                "is a LoRA adapter", "not a base model");
        assertMessage(assertThrows(CheckpointException.class, () -> ModelFiles.readAdapter(dir.resolve("base.safetensors"))),
                "toylora.kind is 'base', expected lora-adapter", "whole model");
        adapter.merge();
        assertMessage(assertThrows(IllegalStateException.class, () -> ModelFiles.saveAdapter(dir.resolve("a2.safetensors"), adapter, base)),
                "merged");
        assertTrue(Files.notExists(dir.resolve("a2.safetensors")));
        assertEquals(CheckpointMetadata.weightsSha256(ModelFiles.readBase(dir.resolve("base.safetensors")).checkpoint().tensors()),
                base.weightsSha256());
    }
}
