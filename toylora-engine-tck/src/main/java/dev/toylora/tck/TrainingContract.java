package dev.toylora.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.api.Batch;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.OptimizerSpec;
import dev.toylora.api.Tensor;
import dev.toylora.api.Trainer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Training learns, and Adam is PyTorch's. The by-hand comparison holds an engine in double to 1e-12 (relative) and
 * one in float to 1e-6: two Adam steps move each value by ~lr = 1e-2 from values of ~0.5, and a float holds those to
 * ~6e-8 relative, with a few roundings per step.
 */
public abstract class TrainingContract extends ContractTopic {
    private static final int FEATURES = 10;
    private static final int CLASSES = 3;

    protected TrainingContract(EngineContract engine) {
        super(engine);
    }

    private double closeness() {
        return doublePrecision() ? 1e-12 : 1e-6;
    }

    @Test
    void lossFallsAndAccuracyRisesOnASeparableProblem() {
        Batch all = clusters(600, 1, i -> i);
        NetworkSpec spec = new NetworkSpec(FEATURES, List.of(32, 16), CLASSES, 0.1);
        Network network = backend().create(spec, 2);
        double initialLoss = introspection().loss(network, all);
        train(network.trainer(OptimizerSpec.adam(1e-2), 3), all, 300);
        double finalLoss = introspection().loss(network, all);
        assertTrue(finalLoss < 0.1 * initialLoss, "loss " + initialLoss + " → " + finalLoss);
        assertTrue(TestBatches.accuracy(network, all) > 0.97, "accuracy " + TestBatches.accuracy(network, all));
    }

    @Test
    void loraLearnsANewLabellingOfThePretrainedTask() {
        Batch original = clusters(600, 1, i -> i);
        NetworkSpec spec = new NetworkSpec(FEATURES, List.of(32, 16), CLASSES, 0.1);
        Network network = backend().create(spec, 2);
        train(network.trainer(OptimizerSpec.adam(1e-2), 3), original, 300);

        Batch relabelled = clusters(600, 1, i -> (i + 1) % CLASSES);
        double before = introspection().loss(network, relabelled);
        network.attach(new LoraSpec(2, 4, List.of("fc1", "fc2", "fc3"), true, 0.05, false), 4);
        train(network.trainer(OptimizerSpec.adam(1e-2), 5), relabelled, 400);
        double after = introspection().loss(network, relabelled);
        assertTrue(after < 0.1 * before, "loss on the new labels " + before + " → " + after);
        assertTrue(TestBatches.accuracy(network, relabelled) > 0.95, "accuracy " + TestBatches.accuracy(network, relabelled));
    }

    /**
     * A trainer updates the weights as they are when it steps, not a copy from when it was made: an engine may keep its
     * own copy between steps, but must notice weights loaded since (here with learning rate 0, so a step must leave them
     * exactly as loaded).
     */
    @Test
    void aTrainerStepsFromWeightsLoadedAfterItWasMade() {
        Batch batch = clusters(64, 1, i -> i);
        Network network = backend().create(new NetworkSpec(FEATURES, List.of(16), CLASSES, 0.1), 6);
        var adapter = network.attach(new LoraSpec(2, 4, List.of("fc1", "fc2"), true, 0.0, false), 7);
        Trainer trainer = network.trainer(OptimizerSpec.adam(1e-2), 8);
        trainer.step(batch);
        Map<String, Tensor> loaded = TestBatches.withRandomB(adapter.weights(), 9);
        adapter.load(loaded);
        trainer.learningRate(0);
        trainer.step(batch);
        Map<String, Tensor> after = adapter.weights();
        for (Map.Entry<String, Tensor> entry : loaded.entrySet()) {
            assertTrue(java.util.Arrays.equals(entry.getValue().data(), after.get(entry.getKey()).data()),
                    entry.getKey() + " is not what was loaded before the step");
        }
    }

    /**
     * One linear layer, two rows, two Adam steps (the second with a new learning rate), against the update
     * written out here from PyTorch's formulas.
     */
    @Test
    void adamMatchesPyTorchsUpdateByHand() {
        checkAdamByHand(0.0);
    }

    @Test
    void adamWDecaysTheWeightsBeforeTheStep() {
        checkAdamByHand(0.1);
    }

    private void checkAdamByHand(double weightDecay) {
        NetworkSpec spec = new NetworkSpec(2, List.of(), 2, 0.0);
        double[] w = {0.5, -0.25, 0.125, 0.75}; // [out, in], row-major
        double[] b = {0.0625, -0.1875}; // float-exact, as restored weights are floats
        Network network = backend().restore(spec, Map.of(
                "fc1.weight", new Tensor(new int[] {2, 2}, toFloats(w)), "fc1.bias", new Tensor(new int[] {2}, toFloats(b))));
        Batch batch = new Batch(new float[] {1.0f, 2.0f, -0.5f, 0.25f}, new int[] {1, 0}, 2, 2);
        double[][] x = {{1.0, 2.0}, {-0.5, 0.25}};
        int[] labels = {1, 0};

        double lr1 = 0.01;
        double lr2 = 0.003;
        Trainer trainer = network.trainer(new OptimizerSpec(lr1, 0.9, 0.999, 1e-8, weightDecay), 1);
        double[] mW = new double[4], vW = new double[4], mB = new double[2], vB = new double[2];

        for (int t = 1; t <= 2; t++) {
            double lr = t == 1 ? lr1 : lr2;
            // Forward and gradient of the mean cross-entropy, written out.
            double[] gW = new double[4];
            double[] gB = new double[2];
            double expectedLoss = 0;
            for (int i = 0; i < 2; i++) {
                double z0 = w[0] * x[i][0] + w[1] * x[i][1] + b[0];
                double z1 = w[2] * x[i][0] + w[3] * x[i][1] + b[1];
                double max = Math.max(z0, z1);
                double sum = Math.exp(z0 - max) + Math.exp(z1 - max);
                double[] p = {Math.exp(z0 - max) / sum, Math.exp(z1 - max) / sum};
                expectedLoss += -Math.log(p[labels[i]]) / 2;
                for (int o = 0; o < 2; o++) {
                    double dz = (p[o] - (o == labels[i] ? 1 : 0)) / 2;
                    gB[o] += dz;
                    gW[o * 2] += dz * x[i][0];
                    gW[o * 2 + 1] += dz * x[i][1];
                }
            }
            if (t == 2) trainer.learningRate(lr2);
            double loss = trainer.step(batch);
            assertEquals(expectedLoss, loss, closeness(), "loss at step " + t);
            adam(w, gW, mW, vW, t, lr, weightDecay);
            adam(b, gB, mB, vB, t, lr, weightDecay);

            Map<String, Introspection.Values> live = introspection().liveParameters(network);
            assertArrayClose(w, live.get("fc1.weight").toArray(), "weight after step " + t);
            assertArrayClose(b, live.get("fc1.bias").toArray(), "bias after step " + t);
        }
        assertEquals(2, trainer.steps());
        assertEquals(lr2, trainer.learningRate());
    }

    /** PyTorch's Adam/AdamW for one tensor, step t. */
    private static void adam(double[] p, double[] g, double[] m, double[] v, int t, double lr, double weightDecay) {
        double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
        for (int k = 0; k < p.length; k++) {
            p[k] *= 1 - lr * weightDecay;
            m[k] = beta1 * m[k] + (1 - beta1) * g[k];
            v[k] = beta2 * v[k] + (1 - beta2) * g[k] * g[k];
            double mHat = m[k] / (1 - Math.pow(beta1, t));
            double vHat = v[k] / (1 - Math.pow(beta2, t));
            double before = p[k];
            p[k] -= lr * mHat / (Math.sqrt(vHat) + eps);
            // At step 1, m̂/√v̂ = sign(g): every value moves by (almost exactly) lr.
            if (t == 1 && weightDecay == 0) assertEquals(lr, Math.abs(p[k] - before), 1e-9);
        }
    }

    private void assertArrayClose(double[] expected, double[] actual, String what) {
        for (int k = 0; k < expected.length; k++) {
            assertEquals(expected[k], actual[k], closeness() * Math.max(1, Math.abs(expected[k])), what + " [" + k + "]");
        }
    }

    private static float[] toFloats(double[] values) {
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) floats[i] = (float) values[i];
        return floats;
    }

    private static void train(Trainer trainer, Batch all, int steps) {
        int batchSize = 32;
        float[] features = new float[batchSize * FEATURES];
        int[] labels = new int[batchSize];
        SplittableRandom random = new SplittableRandom(9);
        for (int s = 0; s < steps; s++) {
            for (int i = 0; i < batchSize; i++) {
                int row = random.nextInt(all.rows());
                System.arraycopy(all.features(), row * FEATURES, features, i * FEATURES, FEATURES);
                labels[i] = all.labels()[row];
            }
            trainer.step(new Batch(features, labels, batchSize, FEATURES));
        }
    }

    /** Three Gaussian clusters around fixed random centres; {@code label} maps a cluster to its label. */
    private static Batch clusters(int rows, long seed, java.util.function.IntUnaryOperator label) {
        SplittableRandom centresRandom = new SplittableRandom(100);
        double[][] centres = new double[CLASSES][FEATURES];
        for (double[] centre : centres) {
            for (int k = 0; k < FEATURES; k++) centre[k] = 2 * centresRandom.nextDouble() - 1;
        }
        SplittableRandom random = new SplittableRandom(seed);
        float[] features = new float[rows * FEATURES];
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++) {
            int cluster = i % CLASSES;
            labels[i] = label.applyAsInt(cluster);
            for (int k = 0; k < FEATURES; k++) {
                features[i * FEATURES + k] = (float) (centres[cluster][k] + 0.3 * gaussian(random));
            }
        }
        return new Batch(features, labels, rows, FEATURES);
    }

    private static double gaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
