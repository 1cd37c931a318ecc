package dev.toylora.engine.ojalgo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.api.Adapter;
import dev.toylora.api.Batch;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.OptimizerSpec;
import dev.toylora.api.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/**
 * Backpropagation against central finite differences in double precision, for every trainable value of
 * every layer. The error of a tensor is max|analytic − numeric| / max(max|analytic|, max|numeric|, 1e-8):
 * relative to the tensor's own gradient scale, so that entries that are nearly zero (where the
 * difference quotient's rounding noise, ~1e-10 here, dominates) do not make a correct gradient fail.
 */
class GradientCheckTest {
    private static final double STEP = 1e-6;
    private static final double TOLERANCE = 1e-4;
    private static final NetworkSpec SMALL = new NetworkSpec(6, List.of(5, 4), 3, 0.0);
    private static final OptimizerSpec ADAM = OptimizerSpec.adam(1e-3);

    @Test
    void baseNetworkEveryWeightAndBias() {
        MlpNetwork network = MlpNetwork.initialised(SMALL, 11);
        Batch batch = TestBatches.random(7, 6, 3, 12);
        MlpTrainer trainer = (MlpTrainer) network.trainer(ADAM, 13);
        Map<String, double[]> gradients = trainer.gradients(batch);
        assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"), List.copyOf(gradients.keySet()));
        checkAgainstFiniteDifferences(network, gradients, () -> network.loss(batch));
    }

    @Test
    void loraOnEveryLayerWithBiases() {
        checkLora(new LoraSpec(2, 3.0, List.of("fc1", "fc2", "fc3"), true, 0.0, false));
    }

    @Test
    void loraOnOneMiddleLayerWithBias() {
        checkLora(new LoraSpec(3, 4.0, List.of("fc2"), true, 0.0, false));
    }

    @Test
    void loraOnFirstAndLastLayerRankStabilised() {
        checkLora(new LoraSpec(1, 2.0, List.of("fc3", "fc1"), false, 0.0, true));
    }

    /** PEFT allows r up to max(in, out): here r = 4 on fc3 (4 → 3) and fc2 (5 → 4). */
    @Test
    void loraRankAboveMinOfInAndOut() {
        checkLora(new LoraSpec(4, 2.0, List.of("fc3", "fc2"), true, 0.0, false));
    }

    @Test
    void dropoutInTheNetworkAndInTheAdapter() {
        NetworkSpec withDropout = new NetworkSpec(6, List.of(5, 4), 3, 0.3);
        MlpNetwork network = MlpNetwork.initialised(withDropout, 21);
        Adapter adapter = network.attach(new LoraSpec(2, 2.0, List.of("fc1", "fc2", "fc3"), true, 0.25, false), 22);
        makeBNonZero(adapter, 23);
        Batch batch = TestBatches.random(9, 6, 3, 24);
        long maskSeed = 25;
        MlpTrainer trainer = (MlpTrainer) network.trainer(ADAM, maskSeed);
        // The trainer's first masks come from a fresh stream of maskSeed; trainingLoss replays that stream.
        Map<String, double[]> gradients = trainer.gradients(batch);
        checkAgainstFiniteDifferences(network, gradients, () -> trainer.trainingLoss(batch, maskSeed));
    }

    @Test
    void dropoutInTheBaseNetwork() {
        MlpNetwork network = MlpNetwork.initialised(new NetworkSpec(6, List.of(5, 4), 3, 0.4), 31);
        Batch batch = TestBatches.random(9, 6, 3, 32);
        MlpTrainer trainer = (MlpTrainer) network.trainer(ADAM, 33);
        Map<String, double[]> gradients = trainer.gradients(batch);
        checkAgainstFiniteDifferences(network, gradients, () -> trainer.trainingLoss(batch, 33));
    }

    private static void checkLora(LoraSpec spec) {
        MlpNetwork network = MlpNetwork.initialised(SMALL, 1);
        Adapter adapter = network.attach(spec, 2);
        makeBNonZero(adapter, 3);
        Batch batch = TestBatches.random(8, 6, 3, 4);
        MlpTrainer trainer = (MlpTrainer) network.trainer(ADAM, 5);
        Map<String, double[]> gradients = trainer.gradients(batch);
        assertEquals(adapter.weights().keySet(), gradients.keySet(), "only the adapter's tensors get gradients");
        for (String target : spec.targets()) {
            assertTrue(maxAbs(gradients.get(target + ".lora_A.weight")) > 1e-6, "with B ≠ 0, A of " + target + " has a gradient");
        }
        checkAgainstFiniteDifferences(network, gradients, () -> network.loss(batch));
    }

    /** B = 0 would leave A without gradient; load a random B so that A's gradient is checked too. */
    private static void makeBNonZero(Adapter adapter, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Tensor> weights = new LinkedHashMap<>(adapter.weights());
        weights.replaceAll((name, tensor) -> {
            if (!name.endsWith("lora_B.weight")) return tensor;
            float[] data = new float[tensor.data().length];
            for (int i = 0; i < data.length; i++) data[i] = (float) (random.nextDouble() - 0.5);
            return new Tensor(tensor.shape(), data);
        });
        adapter.load(weights);
    }

    private static void checkAgainstFiniteDifferences(MlpNetwork network, Map<String, double[]> analytic, DoubleSupplier loss) {
        Map<String, double[]> live = network.liveParameters();
        for (Map.Entry<String, double[]> entry : analytic.entrySet()) {
            String name = entry.getKey();
            double[] values = live.get(name);
            double[] numeric = new double[values.length];
            for (int k = 0; k < values.length; k++) {
                double original = values[k];
                values[k] = original + STEP;
                double up = loss.getAsDouble();
                values[k] = original - STEP;
                double down = loss.getAsDouble();
                values[k] = original;
                numeric[k] = (up - down) / (2 * STEP);
            }
            double[] gradient = entry.getValue();
            double difference = 0;
            for (int k = 0; k < values.length; k++) difference = Math.max(difference, Math.abs(gradient[k] - numeric[k]));
            double scale = Math.max(Math.max(maxAbs(gradient), maxAbs(numeric)), 1e-8);
            assertTrue(maxAbs(gradient) > 0, name + " has an all-zero gradient");
            assertTrue(difference / scale < TOLERANCE, name + ": relative error " + difference / scale
                    + "\n analytic " + Arrays.toString(gradient) + "\n numeric  " + Arrays.toString(numeric));
        }
    }

    private static double maxAbs(double[] values) {
        double max = 0;
        for (double v : values) max = Math.max(max, Math.abs(v));
        return max;
    }
}
