package dev.toylora.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.api.Backend;
import dev.toylora.api.Backends;
import dev.toylora.api.Batch;
import dev.toylora.api.Layer;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.OptimizerSpec;
import dev.toylora.api.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The backend as a service, the network's names and shapes, initialisation, restore and snapshots. */
public abstract class BackendContract extends ContractTopic {
    private static final NetworkSpec MNIST = NetworkSpec.mnistMlp();

    protected BackendContract(EngineContract engine) {
        super(engine);
    }

    @Test
    void isFoundAsAServiceByNameAndUsable() {
        Backend backend = Backends.get(backend().name());
        assertSame(backend().getClass(), backend.getClass());
        assertTrue(backend.available(), backend.unavailableReason());
        assertEquals("", backend.unavailableReason());
        assertFalse(backend.version().isBlank());
        assertFalse(backend.version().startsWith("unknown"), "the engine version comes from the build: " + backend.version());
    }

    @Test
    void layersAreNamedAndShapedAsInPyTorch() {
        Network network = backend().create(MNIST, 1);
        List<Layer> layers = network.layers();
        assertEquals(List.of("fc1", "fc2", "fc3", "fc4"), layers.stream().map(Layer::name).toList());
        assertArrayEquals(new int[] {512, 784}, layers.get(0).weight().shape());
        assertArrayEquals(new int[] {10}, layers.get(3).bias().shape());
        assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias", "fc4.weight", "fc4.bias"),
                List.copyOf(network.weights().keySet()));
        assertTrue(layers.get(0).weight().sameAs(network.weights().get("fc1.weight")));
    }

    /** nn.Linear: weight and bias ~ U(±1/√in), whose variance is 1/(3·in). */
    @Test
    void initialisationIsUniformWithinOneOverRootFanIn() {
        Network network = backend().create(MNIST, 1);
        for (Layer layer : network.layers()) {
            double bound = 1 / Math.sqrt(layer.inputs());
            for (Tensor tensor : List.of(layer.weight(), layer.bias())) {
                double max = 0, sum = 0, squares = 0;
                for (float v : tensor.data()) {
                    max = Math.max(max, Math.abs(v));
                    sum += v;
                    squares += (double) v * v;
                }
                long n = tensor.size();
                assertTrue(max <= bound, layer.name() + " within the bound");
                if (n >= 1000) {
                    assertTrue(max > 0.99 * bound, layer.name() + " reaches the bound");
                    assertEquals(0, sum / n, 0.05 * bound, layer.name() + " mean");
                    assertEquals(bound * bound / 3, squares / n, 0.05 * bound * bound, layer.name() + " variance");
                }
            }
        }
    }

    @Test
    void restoringAFreshNetworksWeightsGivesTheSameLogits() {
        Network network = backend().create(MNIST, 3);
        Batch batch = TestBatches.random(20, 784, 10, 4);
        Network restored = backend().restore(MNIST, network.weights());
        assertArrayEquals(TestBatches.logits(network, batch), TestBatches.logits(restored, batch));
        assertTrue(TestBatches.sameTensors(network.weights(), restored.weights()));
    }

    @Test
    void restoredTrainedWeightsGiveTheSameLogitsUpToFloatRounding() {
        Network network = backend().create(MNIST, 3);
        Batch batch = TestBatches.random(20, 784, 10, 4);
        network.trainer(OptimizerSpec.adam(1e-3), 1).step(batch);
        Network restored = backend().restore(MNIST, network.weights());
        assertTrue(TestBatches.maxAbsDifference(TestBatches.logits(network, batch), TestBatches.logits(restored, batch)) < 1e-4);
    }

    @Test
    void tensorsHandedOutAreSnapshots() {
        Network network = backend().create(MNIST, 3);
        Map<String, Tensor> weights = network.weights();
        weights.get("fc1.weight").data()[0] += 1;
        network.layers().get(0).bias().data()[0] += 1;
        assertTrue(TestBatches.sameTensors(backend().create(MNIST, 3).weights(), network.weights()));
    }

    /** Big eval batches may run in slices; each row's logits do not depend on what else is in the batch. */
    @Test
    void logitsOfABigBatchMatchThoseOfItsPieces() {
        Network network = backend().create(MNIST, 3);
        Batch big = TestBatches.random(1100, 784, 10, 5);
        float[] whole = TestBatches.logits(network, big);
        float[] features = new float[64 * 784];
        float[] piece = new float[64 * 10];
        for (int first = 0; first < big.rows(); first += 64) {
            int rows = Math.min(64, big.rows() - first);
            System.arraycopy(big.features(), first * 784, features, 0, rows * 784);
            network.logits(new Batch(features, new int[64], rows, 784), piece);
            for (int k = 0; k < rows * 10; k++) {
                assertEquals(whole[first * 10 + k], piece[k], 1e-5, "row " + (first + k / 10));
            }
        }
    }

    @Test
    void aShorterLastBatchTrainsToo() {
        Network network = backend().create(MNIST, 3);
        var trainer = network.trainer(OptimizerSpec.adam(1e-3), 1);
        Batch full = TestBatches.random(64, 784, 10, 6);
        double a = trainer.step(full);
        double b = trainer.step(full.withRows(13));
        double c = trainer.step(full);
        assertTrue(Double.isFinite(a) && Double.isFinite(b) && Double.isFinite(c));
        assertEquals(3, trainer.steps());
    }
}
