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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine agrees with the reference engine: the same seeds give bit-identical initial weights and adapters (the
 * random draws are the same numbers, in the same order), and for the same weights and batch the logits and every
 * gradient — with dropout in the network and in the adapter, so the masks must match too — differ only by rounding.
 *
 * <p>Errors are normalised per tensor: max|engine − reference| / max|reference|. The tolerances are set for two
 * engines in float32 that sum each product in their own order (the OpenBLAS engine blocked, the ojAlgo engine term
 * after term), so that each rounds on its own and their difference is up to the sum of both errors. A float32 dot
 * product of n terms has a rounding error of at most ~n·u·Σ|terms| (u = 2⁻²⁴ ≈ 6e-8) and typically ~√n·u·Σ|terms|:
 * with n ≤ 784 that is 1.7e-6 of Σ|terms| typically, 4.7e-5 at worst, and Σ|terms| is a few times the result.
 * Measured (OpenBLAS engine against ojAlgo, both float32): logits 5–6e-7, gradients of every tensor 1–8e-7, losses over
 * ten Adam steps 5e-9 relative, logits after them 5–6e-7 (against the ojAlgo engine in float64 they were 3–4e-7, 1–6e-7,
 * 7e-9 and 5–7e-7). Logits and gradients must agree to 1e-5 (~12× the measured error, ~the typical bound at full
 * cancellation), losses to 1e-6; a slip (a wrong mask, a missing term, a transposed operand) moves results by 1e-2 or
 * more. After ten steps the logits must agree to 1e-4: Adam's early steps move each value by about ±lr whatever the
 * gradient's size, so an entry that is ~0 in both engines may step in opposite directions; the seeded runs here do
 * not, but the bound leaves room for it.
 */
public abstract class CrossEngineContract extends ContractTopic {
    static final double LOGITS = 1e-5;
    static final double GRADIENTS = 1e-5;
    static final double LOSS_WHILE_TRAINING = 1e-6;
    static final double LOGITS_AFTER_TRAINING = 1e-4;

    private static final NetworkSpec MNIST = NetworkSpec.mnistMlp();
    private static final List<String> ALL = List.of("fc1", "fc2", "fc3", "fc4");

    private Engine reference;

    protected CrossEngineContract(EngineContract engine) {
        super(engine);
    }

    @BeforeEach
    void needsAReference() {
        var found = engine.reference();
        Assumptions.assumeTrue(found.isPresent(), "no reference engine to agree with (this is the reference)");
        reference = found.get();
    }

    @Test
    void theSameSeedInitialisesBitIdenticalWeights() {
        for (long seed : new long[] {1, 42}) {
            assertTrue(TestBatches.sameTensors(reference.backend().create(MNIST, seed).weights(), backend().create(MNIST, seed).weights()),
                    "seed " + seed);
        }
    }

    @Test
    void theSameAttachSeedDrawsABitIdenticalAdapter() {
        LoraSpec spec = new LoraSpec(16, 32, List.of("fc3", "fc1", "fc4"), true, 0.1, false);
        Adapter expected = reference.backend().create(MNIST, 1).attach(spec, 9);
        Adapter actual = backend().create(MNIST, 1).attach(spec, 9);
        assertTrue(TestBatches.sameTensors(expected.weights(), actual.weights()));
    }

    @Test
    void logitsAgreeForTheSameWeights() {
        Network expected = reference.backend().create(MNIST, 3);
        Network actual = backend().restore(MNIST, expected.weights());
        Batch batch = TestBatches.random(64, 784, 10, 4);
        assertAgree("logits", TestBatches.logits(expected, batch), TestBatches.logits(actual, batch), LOGITS);
    }

    @Test
    void adaptedAndMergedLogitsAgree() {
        Network expected = reference.backend().create(MNIST, 3);
        Network actual = backend().restore(MNIST, expected.weights());
        LoraSpec spec = new LoraSpec(8, 16, ALL, true, 0.0, false);
        Adapter expectedAdapter = expected.attach(spec, 5);
        expectedAdapter.load(TestBatches.withRandomB(expectedAdapter.weights(), 6));
        Adapter actualAdapter = actual.attach(spec, 5);
        actualAdapter.load(expectedAdapter.weights());
        Batch batch = TestBatches.random(64, 784, 10, 7);
        assertAgree("adapted logits", TestBatches.logits(expected, batch), TestBatches.logits(actual, batch), LOGITS);
        expectedAdapter.merge();
        actualAdapter.merge();
        assertAgree("merged logits", TestBatches.logits(expected, batch), TestBatches.logits(actual, batch), LOGITS);
        assertAgree("merged fc1.weight", expected.weights().get("fc1.weight").data(), actual.weights().get("fc1.weight").data(), LOGITS);
    }

    /** The whole network trains, with dropout 0.2: the masks come from the trainer seed and must be the same. */
    @Test
    void pretrainingGradientsAgree() {
        Network expected = reference.backend().create(MNIST, 11);
        Network actual = backend().create(MNIST, 11);
        Batch batch = TestBatches.random(64, 784, 10, 12);
        Map<String, double[]> expectedGradients = reference.introspection().gradients(expected.trainer(OptimizerSpec.adam(1e-3), 13), batch);
        Map<String, double[]> actualGradients = introspection().gradients(actual.trainer(OptimizerSpec.adam(1e-3), 13), batch);
        assertGradientsAgree(expectedGradients, actualGradients);
    }

    /** LoRA on every layer with trained biases and adapter dropout 0.1, B non-zero so that every gradient is. */
    @Test
    void loraGradientsAgree() {
        Network expected = reference.backend().create(MNIST, 21);
        Network actual = backend().create(MNIST, 21);
        LoraSpec spec = new LoraSpec(16, 32, ALL, true, 0.1, false);
        Adapter expectedAdapter = expected.attach(spec, 22);
        expectedAdapter.load(TestBatches.withRandomB(expectedAdapter.weights(), 23));
        actual.attach(spec, 22).load(expectedAdapter.weights());
        Batch batch = TestBatches.random(64, 784, 10, 24);
        Map<String, double[]> expectedGradients = reference.introspection().gradients(expected.trainer(OptimizerSpec.adam(1e-3), 25), batch);
        Map<String, double[]> actualGradients = introspection().gradients(actual.trainer(OptimizerSpec.adam(1e-3), 25), batch);
        assertGradientsAgree(expectedGradients, actualGradients);
    }

    @Test
    void pretrainingStaysTogetherOverTenSteps() {
        NetworkSpec spec = new NetworkSpec(784, List.of(128, 64), 10, 0.2);
        Network expected = reference.backend().create(spec, 31);
        Network actual = backend().create(spec, 31);
        trainTogether(expected, actual, OptimizerSpec.adam(1e-3), 32);
    }

    @Test
    void loraTrainingStaysTogetherOverTenSteps() {
        NetworkSpec spec = new NetworkSpec(784, List.of(128, 64), 10, 0.2);
        Network expected = reference.backend().create(spec, 41);
        Network actual = backend().create(spec, 41);
        LoraSpec lora = new LoraSpec(4, 8, List.of("fc1", "fc3"), true, 0.1, false);
        expected.attach(lora, 42);
        actual.attach(lora, 42);
        trainTogether(expected, actual, new OptimizerSpec(1e-3, 0.9, 0.999, 1e-8, 0.01), 43);
    }

    private static void trainTogether(Network expected, Network actual, OptimizerSpec optimizer, long seed) {
        Trainer expectedTrainer = expected.trainer(optimizer, seed);
        Trainer actualTrainer = actual.trainer(optimizer, seed);
        double worst = 0;
        for (int step = 0; step < 10; step++) {
            Batch batch = TestBatches.random(32, 784, 10, seed * 100 + step);
            double a = expectedTrainer.step(batch);
            double b = actualTrainer.step(batch);
            assertEquals(a, b, LOSS_WHILE_TRAINING * Math.abs(a), "loss at step " + step);
            worst = Math.max(worst, Math.abs(a - b) / Math.abs(a));
        }
        System.out.printf("loss agreement over ten steps (max relative difference): %.2e%n", worst);
        Batch batch = TestBatches.random(64, 784, 10, seed);
        assertAgree("logits after ten steps", TestBatches.logits(expected, batch), TestBatches.logits(actual, batch), LOGITS_AFTER_TRAINING);
    }

    private static void assertGradientsAgree(Map<String, double[]> expected, Map<String, double[]> actual) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()), "the same tensors get gradients, in the same order");
        StringBuilder report = new StringBuilder();
        double worst = 0;
        for (String name : expected.keySet()) {
            double error = normalisedError(expected.get(name), actual.get(name));
            assertTrue(TestBatches.maxAbs(expected.get(name)) > 0, name + " has a zero gradient in the reference");
            report.append(String.format("%n  %-20s %.2e", name, error));
            worst = Math.max(worst, error);
        }
        System.out.println("gradient agreement (max|Δ|/max|reference|):" + report);
        assertTrue(worst < GRADIENTS, "gradients differ by up to " + worst + " (normalised):" + report);
    }

    private static void assertAgree(String what, float[] expected, float[] actual, double tolerance) {
        double[] e = new double[expected.length];
        double[] a = new double[actual.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = expected[i];
            a[i] = actual[i];
        }
        double error = normalisedError(e, a);
        System.out.printf("%s agreement (max|Δ|/max|reference|): %.2e%n", what, error);
        assertTrue(error < tolerance, what + " differ by " + error + " (normalised), more than " + tolerance);
    }

    static double normalisedError(double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length);
        double difference = 0;
        for (int i = 0; i < expected.length; i++) difference = Math.max(difference, Math.abs(expected[i] - actual[i]));
        return difference / Math.max(TestBatches.maxAbs(expected), 1e-30);
    }

}
