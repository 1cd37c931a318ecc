package dev.toylora.tck;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.api.Adapter;
import dev.toylora.api.Backend;
import dev.toylora.api.Batch;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.OptimizerSpec;
import dev.toylora.api.Tensor;
import dev.toylora.api.Trainer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Misuse fails early, with a message that says what was wrong (the same in every engine). */
public abstract class ErrorMessagesContract extends ContractTopic {
    private static final NetworkSpec MNIST = NetworkSpec.mnistMlp();
    private final Backend backend = backend();
    private final Network network = backend.create(MNIST, 1);

    protected ErrorMessagesContract(EngineContract engine) {
        super(engine);
    }

    @Test
    void rankLargerThanALayerAllows() {
        // As in PEFT, r may exceed min(in, out) (r = 16 on the 128×10 fc4 is fine) but not max(in, out).
        String message = fails(IllegalArgumentException.class, () -> network.attach(LoraSpec.of(129, 258, List.of("fc1", "fc4")), 1));
        assertContains(message, "rank 129", "fc4", "at most 128");
        assertTrue(network.adapter().isEmpty(), "a refused adapter is not attached");
        network.attach(LoraSpec.of(128, 256, List.of("fc1", "fc4")), 1);
    }

    @Test
    void aNonFiniteInputIsRefusedBeforeAnyWeightChanges() {
        Batch batch = TestBatches.random(8, MNIST.inputs(), MNIST.outputs(), 5);
        batch.features()[3 * MNIST.inputs() + 7] = Float.NaN;
        Map<String, Tensor> before = network.weights();
        String message = fails(IllegalArgumentException.class, () -> network.trainer(OptimizerSpec.adam(1e-3), 1).step(batch));
        assertContains(message, "row 3", "column 7", "NaN", "finite");
        assertTrue(TestBatches.sameTensors(before, network.weights()), "no weight changed");
    }

    @Test
    void aLossThatIsNotFiniteStopsTheStepWithTheWeightsIntact() {
        Batch batch = TestBatches.random(8, MNIST.inputs(), MNIST.outputs(), 5);
        java.util.Arrays.fill(batch.features(), 0, 8 * MNIST.inputs(), 3e38f);   // finite inputs, overflowing logits
        Map<String, Tensor> before = network.weights();
        Trainer trainer = network.trainer(OptimizerSpec.adam(1e-3), 1);
        String message = fails(dev.toylora.api.NonFiniteLossException.class, () -> trainer.step(batch));
        assertContains(message, "step 1", "no weight was updated");
        assertTrue(TestBatches.sameTensors(before, network.weights()), "no weight changed");
    }

    @Test
    void trainingNeedsLabels() {
        Batch unlabelled = Batch.unlabelled(new float[4 * MNIST.inputs()], 4, MNIST.inputs());
        assertContains(fails(IllegalArgumentException.class, () -> network.trainer(OptimizerSpec.adam(1e-3), 1).step(unlabelled)), "labels");
        org.junit.jupiter.api.Assertions.assertEquals(4, network.predict(unlabelled).length, "inference needs none");
        assertContains(fails(IllegalArgumentException.class, () -> network.accuracy(unlabelled)), "labelled");
    }

    @Test
    void unknownTarget() {
        String message = fails(IllegalArgumentException.class, () -> network.attach(LoraSpec.of(4, 8, List.of("fc2", "fc9")), 1));
        assertContains(message, "'fc9'", "not a layer", "fc1, fc2, fc3, fc4");
    }

    @Test
    void attachingTwice() {
        network.attach(LoraSpec.of(4, 8, List.of("fc1")), 1);
        String message = fails(IllegalStateException.class, () -> network.attach(LoraSpec.of(4, 8, List.of("fc2")), 1));
        assertContains(message, "already attached", "detach");
    }

    @Test
    void detachingWithoutAnAdapter() {
        assertContains(fails(IllegalStateException.class, network::detach), "no adapter");
    }

    @Test
    void restoreWithAWrongShape() {
        Map<String, Tensor> weights = new LinkedHashMap<>(network.weights());
        weights.put("fc2.weight", Tensor.zeros(256, 511));
        String message = fails(IllegalArgumentException.class, () -> backend.restore(MNIST, weights));
        assertContains(message, "fc2.weight has shape [256, 511], expected [256, 512]");
    }

    @Test
    void restoreWithMissingAndExtraTensors() {
        Map<String, Tensor> weights = new LinkedHashMap<>(network.weights());
        weights.remove("fc3.bias");
        weights.put("fc5.weight", Tensor.zeros(10, 10));
        String message = fails(IllegalArgumentException.class, () -> backend.restore(MNIST, weights));
        assertContains(message, "missing [fc3.bias]", "unexpected [fc5.weight]");
    }

    @Test
    void restoreIntoADifferentArchitecture() {
        NetworkSpec other = new NetworkSpec(784, List.of(256), 10, 0.2);
        String message = fails(IllegalArgumentException.class, () -> backend.restore(other, network.weights()));
        assertContains(message, "784-256-10", "fc1.weight has shape [512, 784], expected [256, 784]", "unexpected [fc3.bias, fc3.weight, fc4.bias, fc4.weight]");
    }

    @Test
    void loadingAdapterTensorsThatDoNotFit() {
        Adapter adapter = network.attach(LoraSpec.of(4, 8, List.of("fc1", "fc2")), 1);
        Map<String, Tensor> weights = new LinkedHashMap<>(adapter.weights());
        weights.put("fc1.lora_A.weight", Tensor.zeros(784, 4));
        weights.remove("fc2.lora_B.weight");
        String message = fails(IllegalArgumentException.class, () -> adapter.load(weights));
        assertContains(message, "fc1.lora_A.weight has shape [784, 4], expected [4, 784]", "missing [fc2.lora_B.weight]");
    }

    @Test
    void mergeAndUnmergeOutOfTurn() {
        Adapter adapter = network.attach(LoraSpec.of(4, 8, List.of("fc1")), 1);
        assertContains(fails(IllegalStateException.class, adapter::unmerge), "not merged");
        adapter.merge();
        assertContains(fails(IllegalStateException.class, adapter::merge), "already merged");
        assertContains(fails(IllegalStateException.class, () -> adapter.load(adapter.weights())), "unmerge");
        network.detach();
        assertContains(fails(IllegalStateException.class, adapter::merge), "detached");
    }

    @Test
    void batchesThatDoNotFitTheNetwork() {
        Trainer trainer = network.trainer(OptimizerSpec.adam(1e-3), 1);
        Batch narrow = TestBatches.random(4, 10, 10, 1);
        assertContains(fails(IllegalArgumentException.class, () -> trainer.step(narrow)), "10 columns", "784 inputs");
        Batch badLabel = new Batch(new float[2 * 784], new int[] {3, 10}, 2, 784);
        assertContains(fails(IllegalArgumentException.class, () -> trainer.step(badLabel)), "label 10 of row 1", "10 outputs");
        Batch ok = TestBatches.random(4, 784, 10, 1);
        assertContains(fails(IllegalArgumentException.class, () -> network.logits(ok, new float[39])), "39", "40");
    }

    @Test
    void negativeLearningRate() {
        Trainer trainer = network.trainer(OptimizerSpec.adam(1e-3), 1);
        assertContains(fails(IllegalArgumentException.class, () -> trainer.learningRate(-1)), "learning rate");
    }

    private static String fails(Class<? extends RuntimeException> type, Executable action) {
        String message = assertThrows(type, action).getMessage();
        return message == null ? "" : message;
    }

    private static void assertContains(String message, String... parts) {
        for (String part : parts) assertTrue(message.contains(part), "message lacks \"" + part + "\": " + message);
    }
}
