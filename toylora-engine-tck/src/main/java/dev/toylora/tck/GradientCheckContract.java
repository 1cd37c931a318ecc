package dev.toylora.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.api.Adapter;
import dev.toylora.api.Batch;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.OptimizerSpec;
import dev.toylora.api.Trainer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/**
 * Backpropagation against central finite differences, for every trainable value of every layer. The error of a
 * tensor is max|analytic − numeric| / max(max|analytic|, max|numeric|, 1e-8): relative to the tensor's own gradient
 * scale, so that entries that are nearly zero (where the difference quotient's rounding noise dominates) do not make
 * a correct gradient fail.
 *
 * <p>The step and tolerance follow the engine's precision. In double: h = 1e-6, tolerance 1e-4 (rounding noise
 * ~1e-16/1e-6 = 1e-10, truncation ~h² — far below). In float the loss itself is only known to ~u·|L| ≈ 6e-8, so the
 * quotient's noise is ~6e-8/h: h = 1e-3 gives ~6e-5 absolute against gradients of ~1e-2 to 1e-1 here, and truncation
 * (~h² = 1e-6) stays below; tolerance 5e-3 (the OpenBLAS engine measures 1e-4 to 2e-3, the ojAlgo engine 1e-4 to 3e-3,
 * the worst with rsLoRA's s = 2 at r = 1). An engine's gradients are held to the reference engine's far more tightly,
 * to 1e-5, by {@link CrossEngineContract}.
 */
public abstract class GradientCheckContract extends ContractTopic {
    private static final NetworkSpec SMALL = new NetworkSpec(6, List.of(5, 4), 3, 0.0);
    private static final OptimizerSpec ADAM = OptimizerSpec.adam(1e-3);

    protected GradientCheckContract(EngineContract engine) {
        super(engine);
    }

    private double step() {
        return doublePrecision() ? 1e-6 : 1e-3;
    }

    private double tolerance() {
        return doublePrecision() ? 1e-4 : 5e-3;
    }

    @Test
    void baseNetworkEveryWeightAndBias() {
        Network network = backend().create(SMALL, 11);
        Batch batch = TestBatches.random(7, 6, 3, 12);
        Trainer trainer = network.trainer(ADAM, 13);
        Map<String, double[]> gradients = introspection().gradients(trainer, batch);
        assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"), List.copyOf(gradients.keySet()));
        checkAgainstFiniteDifferences(network, gradients, () -> introspection().loss(network, batch));
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
        Network network = backend().create(withDropout, 21);
        Adapter adapter = network.attach(new LoraSpec(2, 2.0, List.of("fc1", "fc2", "fc3"), true, 0.25, false), 22);
        adapter.load(TestBatches.withRandomB(adapter.weights(), 23));
        Batch batch = TestBatches.random(9, 6, 3, 24);
        long maskSeed = 25;
        Trainer trainer = network.trainer(ADAM, maskSeed);
        // The trainer's first masks come from a fresh stream of maskSeed; trainingLoss replays that stream.
        Map<String, double[]> gradients = introspection().gradients(trainer, batch);
        checkAgainstFiniteDifferences(network, gradients, () -> introspection().trainingLoss(trainer, batch, maskSeed));
    }

    /** Engines may split a step's rows, outputs or parameter rows among threads: one row, and rank 1, leave a side empty. */
    @Test
    void oneRowBatchWithDropoutAndARankOneAdapter() {
        Network network = backend().create(new NetworkSpec(6, List.of(5, 4), 3, 0.3), 41);
        Adapter adapter = network.attach(new LoraSpec(1, 2.0, List.of("fc1", "fc2", "fc3"), true, 0.25, false), 42);
        adapter.load(TestBatches.withRandomB(adapter.weights(), 43));
        Batch batch = TestBatches.random(1, 6, 3, 44);
        Trainer trainer = network.trainer(ADAM, 45);
        Map<String, double[]> gradients = introspection().gradients(trainer, batch);
        checkAgainstFiniteDifferences(network, gradients, () -> introspection().trainingLoss(trainer, batch, 45));
    }

    @Test
    void dropoutInTheBaseNetwork() {
        Network network = backend().create(new NetworkSpec(6, List.of(5, 4), 3, 0.4), 31);
        Batch batch = TestBatches.random(9, 6, 3, 32);
        Trainer trainer = network.trainer(ADAM, 33);
        Map<String, double[]> gradients = introspection().gradients(trainer, batch);
        checkAgainstFiniteDifferences(network, gradients, () -> introspection().trainingLoss(trainer, batch, 33));
    }

    private void checkLora(LoraSpec spec) {
        Network network = backend().create(SMALL, 1);
        Adapter adapter = network.attach(spec, 2);
        adapter.load(TestBatches.withRandomB(adapter.weights(), 3));
        Batch batch = TestBatches.random(8, 6, 3, 4);
        Trainer trainer = network.trainer(ADAM, 5);
        Map<String, double[]> gradients = introspection().gradients(trainer, batch);
        assertEquals(adapter.weights().keySet(), gradients.keySet(), "only the adapter's tensors get gradients");
        for (String target : spec.targets()) {
            assertTrue(TestBatches.maxAbs(gradients.get(target + ".lora_A.weight")) > 1e-6, "with B ≠ 0, A of " + target + " has a gradient");
        }
        checkAgainstFiniteDifferences(network, gradients, () -> introspection().loss(network, batch));
    }

    private void checkAgainstFiniteDifferences(Network network, Map<String, double[]> analytic, DoubleSupplier loss) {
        Map<String, Introspection.Values> live = introspection().liveParameters(network);
        double h = step();
        double worst = 0;
        for (Map.Entry<String, double[]> entry : analytic.entrySet()) {
            String name = entry.getKey();
            Introspection.Values values = live.get(name);
            double[] numeric = new double[values.size()];
            for (int k = 0; k < values.size(); k++) {
                double original = values.get(k);
                values.set(k, original + h);
                double upValue = values.get(k);   // what the engine holds (rounded to its precision)
                double up = loss.getAsDouble();
                values.set(k, original - h);
                double downValue = values.get(k);
                double down = loss.getAsDouble();
                values.set(k, original);
                numeric[k] = (up - down) / (upValue - downValue);
            }
            double[] gradient = entry.getValue();
            double difference = 0;
            for (int k = 0; k < values.size(); k++) difference = Math.max(difference, Math.abs(gradient[k] - numeric[k]));
            double scale = Math.max(Math.max(TestBatches.maxAbs(gradient), TestBatches.maxAbs(numeric)), 1e-8);
            assertTrue(TestBatches.maxAbs(gradient) > 0, name + " has an all-zero gradient");
            worst = Math.max(worst, difference / scale);
            assertTrue(difference / scale < tolerance(), name + ": relative error " + difference / scale
                    + "\n analytic " + Arrays.toString(gradient) + "\n numeric  " + Arrays.toString(numeric));
        }
        System.out.printf("finite differences (h = %.0e): worst relative error %.2e over %s (tolerance %.0e)%n", h, worst, analytic.keySet(), tolerance());
    }
}
