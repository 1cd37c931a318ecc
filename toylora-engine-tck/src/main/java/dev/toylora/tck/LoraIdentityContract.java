package dev.toylora.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.api.Adapter;
import dev.toylora.api.Batch;
import dev.toylora.api.Layer;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.OptimizerSpec;
import dev.toylora.api.Tensor;
import dev.toylora.api.Trainer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What LoRA promises: attaching changes nothing, training leaves the base alone, detach and unmerge give it back exactly. */
public abstract class LoraIdentityContract extends ContractTopic {
    private static final NetworkSpec MNIST = NetworkSpec.mnistMlp();
    private static final List<String> ALL = List.of("fc1", "fc2", "fc3", "fc4");

    private final Network network = backend().create(MNIST, 7);
    private final Batch batch = TestBatches.random(32, 784, 10, 8);

    protected LoraIdentityContract(EngineContract engine) {
        super(engine);
    }

    @Test
    void attachingLeavesTheLogitsBitIdentical() {
        float[] before = TestBatches.logits(network, batch);
        network.attach(LoraSpec.of(8, 16, ALL), 1);
        assertArrayEquals(before, TestBatches.logits(network, batch));
    }

    @Test
    void adapterTrainingLeavesEveryBaseTensorBitIdentical() {
        Map<String, Tensor> before = network.weights();
        Adapter adapter = network.attach(new LoraSpec(4, 8, List.of("fc2", "fc4"), false, 0.1, false), 1);
        Trainer trainer = network.trainer(OptimizerSpec.adam(1e-2), 2);
        for (int i = 0; i < 5; i++) trainer.step(batch);
        assertTrue(TestBatches.sameTensors(before, network.weights()), "base weights and biases untouched");
        assertTrue(TestBatches.maxAbs(adapter.weights().get("fc2.lora_B.weight")) > 0, "B trained");
    }

    @Test
    void trainedBiasesAreTheOnlyBaseTensorsThatMove() {
        Map<String, Tensor> before = network.weights();
        Adapter adapter = network.attach(new LoraSpec(4, 8, List.of("fc1", "fc3"), true, 0.0, false), 1);
        Trainer trainer = network.trainer(OptimizerSpec.adam(1e-2), 2);
        for (int i = 0; i < 5; i++) trainer.step(batch);
        Map<String, Tensor> after = network.weights();
        for (String name : before.keySet()) {
            boolean trainedBias = name.equals("fc1.bias") || name.equals("fc3.bias");
            assertEquals(!trainedBias, before.get(name).sameAs(after.get(name)), name);
        }
        assertTrue(adapter.weights().get("fc3.bias").sameAs(after.get("fc3.bias")), "the adapter reports the bias it trains");

        network.detach();
        assertTrue(TestBatches.sameTensors(before, network.weights()), "detach gives the layers their biases back");
        assertTrue(adapter.weights().get("fc3.bias").sameAs(after.get("fc3.bias")), "the detached adapter keeps its trained bias");
    }

    @Test
    void detachRestoresTheBaseExactly() {
        float[] before = TestBatches.logits(network, batch);
        Map<String, Tensor> weights = network.weights();
        network.attach(new LoraSpec(16, 32, ALL, true, 0.1, false), 1);
        Trainer trainer = network.trainer(OptimizerSpec.adam(1e-2), 2);
        for (int i = 0; i < 5; i++) trainer.step(batch);
        assertFalse(java.util.Arrays.equals(before, TestBatches.logits(network, batch)), "training changed the adapted network");
        network.detach();
        assertArrayEquals(before, TestBatches.logits(network, batch));
        assertTrue(TestBatches.sameTensors(weights, network.weights()));
        assertTrue(network.adapter().isEmpty());
        for (Layer layer : network.layers()) assertFalse(layer.frozen(), layer.name());
    }

    @Test
    void detachWhileMergedUnmergesFirst() {
        float[] before = TestBatches.logits(network, batch);
        Adapter adapter = trainedAdapter();
        adapter.merge();
        network.detach();
        assertArrayEquals(before, TestBatches.logits(network, batch));
    }

    @Test
    void mergedLogitsMatchUnmergedAndUnmergeRestoresWExactly() {
        Adapter adapter = trainedAdapter();
        Map<String, Tensor> baseWeights = network.weights();
        float[] unmerged = TestBatches.logits(network, batch);

        adapter.merge();
        assertTrue(adapter.merged());
        assertFalse(baseWeights.get("fc1.weight").sameAs(network.weights().get("fc1.weight")), "merging folds s·A·B into W");
        float[] merged = TestBatches.logits(network, batch);
        assertTrue(TestBatches.maxAbsDifference(unmerged, merged) < 1e-5, "merged vs unmerged: " + TestBatches.maxAbsDifference(unmerged, merged));

        adapter.unmerge();
        assertFalse(adapter.merged());
        assertTrue(TestBatches.sameTensors(baseWeights, network.weights()), "unmerge restores W bit for bit");
        assertArrayEquals(unmerged, TestBatches.logits(network, batch));
    }

    @Test
    void trainingWhileMergedIsRefused() {
        Adapter adapter = trainedAdapter();
        Trainer trainer = network.trainer(OptimizerSpec.adam(1e-3), 3);
        adapter.merge();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> trainer.step(batch));
        assertTrue(e.getMessage().contains("merged") && e.getMessage().contains("unmerge"), e.getMessage());
        adapter.unmerge();
        trainer.step(batch);
    }

    @Test
    void aTrainerIsBoundToWhatWasTrainableWhenItWasMade() {
        Trainer baseTrainer = network.trainer(OptimizerSpec.adam(1e-3), 1);
        network.attach(LoraSpec.of(4, 8, ALL), 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> baseTrainer.step(batch));
        assertTrue(e.getMessage().contains("new trainer"), e.getMessage());

        Trainer loraTrainer = network.trainer(OptimizerSpec.adam(1e-3), 3);
        loraTrainer.step(batch);
        network.detach();
        assertThrows(IllegalStateException.class, () -> loraTrainer.step(batch));
        network.attach(LoraSpec.of(4, 8, ALL), 2);
        assertThrows(IllegalStateException.class, () -> loraTrainer.step(batch), "a new adapter is not the old one");
    }

    @Test
    void layersReportFrozenWhileAnAdapterIsAttached() {
        network.attach(LoraSpec.of(4, 8, List.of("fc2")), 1);
        for (Layer layer : network.layers()) assertTrue(layer.frozen(), layer.name());
    }

    @Test
    void adapterWeightsUsePeftNamesAndShapes() {
        Adapter adapter = network.attach(new LoraSpec(16, 32, List.of("fc1", "fc4"), true, 0.0, false), 1);
        Map<String, Tensor> weights = adapter.weights();
        assertEquals(List.of("fc1.lora_A.weight", "fc1.lora_B.weight", "fc1.bias", "fc4.lora_A.weight", "fc4.lora_B.weight", "fc4.bias"),
                List.copyOf(weights.keySet()));
        assertArrayEquals(new int[] {16, 784}, weights.get("fc1.lora_A.weight").shape());
        assertArrayEquals(new int[] {512, 16}, weights.get("fc1.lora_B.weight").shape());
        assertArrayEquals(new int[] {512}, weights.get("fc1.bias").shape());
        assertArrayEquals(new int[] {10, 16}, weights.get("fc4.lora_B.weight").shape());
        assertEquals(0, TestBatches.maxAbs(weights.get("fc1.lora_B.weight")), "B starts at zero");
        double bound = 1 / Math.sqrt(784);
        assertTrue(TestBatches.maxAbs(weights.get("fc1.lora_A.weight")) <= bound, "A ~ U(±1/√in)");
        assertTrue(TestBatches.maxAbs(weights.get("fc1.lora_A.weight")) > 0.9 * bound);
    }

    @Test
    void loadedAdapterWeightsComeBackAndDriveTheLogits() {
        Adapter trained = trainedAdapter();
        Map<String, Tensor> saved = trained.weights();
        float[] adapted = TestBatches.logits(network, batch);
        network.detach();

        Adapter fresh = network.attach(trained.spec(), 99);
        fresh.load(saved);
        assertTrue(TestBatches.sameTensors(saved, fresh.weights()));
        // An engine that trains in double saves float tensors, hence "close", not "equal".
        double difference = TestBatches.maxAbsDifference(adapted, TestBatches.logits(network, batch));
        assertTrue(difference < 1e-4, "logits from the reloaded adapter differ by " + difference);
    }

    private Adapter trainedAdapter() {
        Adapter adapter = network.attach(new LoraSpec(8, 16, ALL, false, 0.0, false), 1);
        Trainer trainer = network.trainer(OptimizerSpec.adam(1e-2), 2);
        for (int i = 0; i < 5; i++) trainer.step(batch);
        return adapter;
    }
}
