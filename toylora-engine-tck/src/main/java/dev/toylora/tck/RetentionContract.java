package dev.toylora.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.api.Adapter;
import dev.toylora.api.Batch;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.NonFiniteLossException;
import dev.toylora.api.Objective;
import dev.toylora.api.OptimizerSpec;
import dev.toylora.api.Probe;
import dev.toylora.api.Tensor;
import dev.toylora.api.Trainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * What keeping the old classes needs from an engine: probes of the eval forward pass with gradients down to the inputs
 * (model inversion, activation statistics), the empirical Fisher diagonal of the base (EWC's importance), steps on any
 * objective (distillation) and EWC's penalty on what an adapter changes.
 *
 * <p>Gradients with respect to the inputs are checked against central finite differences exactly as
 * {@link GradientCheckContract} checks those of the parameters (float: h = 1e-3, error relative to the tensor's own
 * scale below 5e-3; double: h = 1e-6, 1e-4). What is computed two ways in the engine's own arithmetic (the Fisher
 * diagonal against per-row gradients, the penalty's gradient as the difference of two gradients) is held to 1e-4 of
 * the tensor's scale in float, 1e-9 in double: a float32 sum of n ≤ 1030 small terms rounds to ~√n·u ≈ 2e-6, while a
 * slip (a square of the mean for a mean of squares, a transposed factor, a missing s) is off by 1e-1 or more. The
 * reference values of the penalty are finite differences of ½·λ·Σ F⊙(s·B·A)² (+ the bias term) computed here in double
 * from the adapter's tensors; the penalty is quadratic in each of A, B and b alone, so central differences are exact but
 * for rounding.
 */
public abstract class RetentionContract extends ContractTopic {
    /** Dropout in the network: probes and the Fisher diagonal are eval mode and must not drop anything. */
    private static final NetworkSpec SMALL = new NetworkSpec(6, List.of(5, 4), 3, 0.3);
    private static final NetworkSpec SMALL_WITHOUT_DROPOUT = new NetworkSpec(6, List.of(5, 4), 3, 0.0);
    private static final OptimizerSpec ADAM = OptimizerSpec.adam(1e-2);

    protected RetentionContract(EngineContract engine) {
        super(engine);
    }

    private double step() {
        return doublePrecision() ? 1e-6 : 1e-3;
    }

    private double finiteDifferenceTolerance() {
        return doublePrecision() ? 1e-4 : 5e-3;
    }

    /** Two computations of one quantity in the engine's arithmetic, relative to the tensor's scale. */
    private double twoWayTolerance() {
        return doublePrecision() ? 1e-9 : 1e-4;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Probes

    @Test
    void probeInputGradientOfTheBaseMatchesFiniteDifferences() {
        Network network = backend().create(SMALL, 101);
        checkProbeGradient(network, TestBatches.random(7, 6, 3, 102));
    }

    @Test
    void probeInputGradientThroughAnAdapterOnEveryLayerMatchesFiniteDifferences() {
        Network network = backend().create(SMALL, 111);
        float[] base = TestBatches.logits(network, TestBatches.random(7, 6, 3, 112));
        network.attach(new LoraSpec(2, 3.0, List.of("fc1", "fc2", "fc3"), true, 0.25, false), 113);
        nudgeB(network, 114);
        Batch batch = TestBatches.random(7, 6, 3, 112);
        assertFalse(Arrays.equals(base, TestBatches.logits(network, batch)), "the nudged branch changes the logits");
        checkProbeGradient(network, batch);
    }

    /** Only the middle layer adapted: the input gradient must cross the branch (du·A) on its way to the inputs. */
    @Test
    void probeInputGradientThroughARankStabilisedMiddleAdapterMatchesFiniteDifferences() {
        Network network = backend().create(SMALL, 121);
        network.attach(new LoraSpec(3, 4.0, List.of("fc2"), false, 0.0, true), 122);
        nudgeB(network, 123);
        checkProbeGradient(network, TestBatches.random(6, 6, 3, 124));
    }

    /** Merged, the branch is in W: the probe's loss and input gradient are those of the unmerged adapter, but for rounding. */
    @Test
    void probeOfAMergedAdapterAgreesWithTheUnmergedOne() {
        Network network = backend().create(SMALL, 161);
        Adapter adapter = network.attach(new LoraSpec(2, 3.0, List.of("fc1", "fc2", "fc3"), true, 0.0, false), 162);
        nudgeB(network, 163);
        Batch batch = TestBatches.random(7, 6, 3, 164);
        TestProbe probe = new TestProbe(targets(7), 165);
        float[] unmerged = new float[7 * 6];
        double unmergedLoss = network.probe(batch, probe, unmerged);
        adapter.merge();
        float[] merged = new float[7 * 6];
        double mergedLoss = network.probe(batch, probe, merged);
        adapter.unmerge();
        assertEquals(unmergedLoss, mergedLoss, 1e-5 * Math.abs(unmergedLoss), "loss");
        double scale = TestBatches.maxAbs(unmerged);
        assertTrue(TestBatches.maxAbsDifference(unmerged, merged) < 1e-5 * scale, "input gradient: merged " + Arrays.toString(merged)
                + "\n unmerged " + Arrays.toString(unmerged));
    }

    /** A probe sees z = x·Wᵀ + b (+ s·x·Aᵀ·Bᵀ) before the ReLU, layer by layer, and the eval-mode logits bit for bit. */
    @Test
    void probeSeesThePreActivationsAndTheEvalLogits() {
        for (boolean adapted : new boolean[] {false, true}) {
            Network network = backend().create(SMALL, 131);
            LoraSpec spec = new LoraSpec(2, 3.0, List.of("fc1", "fc3"), true, 0.25, false);
            Map<String, Tensor> adapter = Map.of();
            if (adapted) {
                network.attach(spec, 132);
                nudgeB(network, 133);
                nudge(network, "fc1.bias", 134);
                adapter = network.adapter().orElseThrow().weights();
            }
            Batch batch = TestBatches.random(9, 6, 3, 135);
            TestProbe probe = new TestProbe(new int[] {0, 1, 2, 1, 0, 2, 2, 1, 0}, 136);
            network.probe(batch, probe, null);
            List<double[]> expected = byHand(network.weights(), adapter, adapted ? spec.scaling() : 0, batch);
            assertEquals(3, probe.seen.size(), "two hidden layers and the logits, adapter " + adapted);
            for (int l = 0; l < expected.size(); l++) {
                double[] want = expected.get(l);
                float[] got = probe.seen.get(l);
                double scale = Math.max(TestBatches.maxAbs(want), 1e-8);
                double error = 0;
                for (int k = 0; k < want.length; k++) error = Math.max(error, Math.abs(want[k] - got[k]) / scale);
                assertTrue(error < twoWayTolerance(), "layer " + l + " (adapter " + adapted + "): relative error " + error
                        + "\n expected " + Arrays.toString(want) + "\n seen     " + Arrays.toString(got));
            }
            assertTrue(Arrays.stream(toDoubles(probe.seen.get(0))).anyMatch(z -> z < 0), "the probe sees z before the ReLU cuts it");
            assertArrayEquals(TestBatches.logits(network, batch), probe.seen.get(2), "the probe's logits are the eval-mode logits");
        }
    }

    @Test
    void probingChangesNothing() {
        Network network = backend().create(SMALL, 141);
        Adapter adapter = network.attach(new LoraSpec(2, 3.0, List.of("fc1", "fc2", "fc3"), true, 0.25, false), 142);
        nudgeB(network, 143);
        Network twin = backend().create(SMALL, 141);
        twin.attach(new LoraSpec(2, 3.0, List.of("fc1", "fc2", "fc3"), true, 0.25, false), 142);
        nudgeB(twin, 143);

        Batch batch = TestBatches.random(8, 6, 3, 144);
        float[] features = batch.features().clone();
        float[] logits = TestBatches.logits(network, batch);
        Map<String, Tensor> weights = network.weights();
        Map<String, Tensor> adapterWeights = adapter.weights();

        TestProbe probe = new TestProbe(new int[] {2, 1, 0, 0, 1, 2, 1, 1}, 145);
        float[] gradient = new float[8 * 6];
        double withGradient = network.probe(batch, probe, gradient);
        double withoutGradient = network.probe(batch, probe, null);
        assertEquals(withGradient, withoutGradient, 0.0, "the loss does not depend on whether the inputs' gradient is asked for");
        float[] again = new float[8 * 6];
        Arrays.fill(again, Float.NaN);
        assertEquals(withGradient, network.probe(batch, probe, again), 0.0, "a second probe gives the same loss");
        assertArrayEquals(gradient, again, "the input gradient is written, not added to what the array held");

        assertArrayEquals(features, batch.features(), "the batch is untouched");
        assertArrayEquals(logits, TestBatches.logits(network, batch), "logits bit-identical after probing");
        assertTrue(TestBatches.sameTensors(weights, network.weights()), "base weights untouched");
        assertTrue(TestBatches.sameTensors(adapterWeights, adapter.weights()), "adapter untouched");
        Map<String, double[]> probed = introspection().gradients(network.trainer(ADAM, 146), batch);
        Map<String, double[]> fresh = introspection().gradients(twin.trainer(ADAM, 146), batch);
        for (String name : fresh.keySet()) {
            assertArrayEquals(fresh.get(name), probed.get(name), name + ": a trainer's gradients are those of a network never probed");
        }
    }

    @Test
    void probeRefusesAShortGradientArrayAndAWrongBatch() {
        Network network = backend().create(SMALL, 151);
        TestProbe probe = new TestProbe(new int[] {0, 1, 2}, 152);
        Batch batch = TestBatches.random(3, 6, 3, 153);
        assertContains(fails(IllegalArgumentException.class, () -> network.probe(batch, probe, new float[17])), "17", "18");
        Batch narrow = TestBatches.random(3, 5, 3, 153);
        assertContains(fails(IllegalArgumentException.class, () -> network.probe(narrow, probe, null)), "5 columns", "6 inputs");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The Fisher diagonal

    @Test
    void fisherDiagonalIsTheMeanOfSquaredPerRowGradients() {
        checkFisher(20, 201);
    }

    /** More rows than the engine's slice (512): 512 + 512 + 6. */
    @Test
    void fisherDiagonalOverSeveralSlices() {
        checkFisher(1030, 211);
    }

    @Test
    void fisherDiagonalRefusesAnUnlabelledBatchAndAnAttachedAdapter() {
        Network network = backend().create(SMALL, 221);
        Batch batch = TestBatches.random(4, 6, 3, 222);
        Batch unlabelled = Batch.unlabelled(batch.features(), 4, 6);
        assertContains(fails(IllegalArgumentException.class, () -> network.fisherDiagonal(unlabelled)), "labelled", "no labels");
        network.attach(LoraSpec.of(2, 4, List.of("fc2")), 223);
        assertContains(fails(IllegalStateException.class, () -> network.fisherDiagonal(batch)), "detach", "adapter");
        Batch badLabel = new Batch(batch.features(), new int[] {0, 3, 1, 2}, 4, 6);
        network.detach();
        assertContains(fails(IllegalArgumentException.class, () -> network.fisherDiagonal(badLabel)), "label 3 of row 1");
    }

    private void checkFisher(int rows, long seed) {
        Network network = backend().create(SMALL, seed);
        Batch batch = TestBatches.random(rows, 6, 3, seed + 1);
        float[] logits = TestBatches.logits(network, batch);
        Map<String, Tensor> weights = network.weights();
        Map<String, Tensor> fisher = network.fisherDiagonal(batch);
        assertArrayEquals(logits, TestBatches.logits(network, batch), "the Fisher diagonal changes no logit");
        assertTrue(TestBatches.sameTensors(weights, network.weights()), "nor any weight");
        assertEquals(List.copyOf(weights.keySet()), List.copyOf(fisher.keySet()), "named as weights() names them, in order");

        // Brute force: the same weights without dropout, each row alone through a base trainer (a mean over one row is
        // that row's gradient), squared, averaged over rows.
        Network twin = backend().restore(SMALL_WITHOUT_DROPOUT, weights);
        Trainer trainer = twin.trainer(ADAM, seed + 2);
        Map<String, double[]> expected = new LinkedHashMap<>();
        for (int i = 0; i < rows; i++) {
            float[] row = Arrays.copyOfRange(batch.features(), i * 6, (i + 1) * 6);
            Map<String, double[]> gradient = introspection().gradients(trainer, new Batch(row, new int[] {batch.labels()[i]}, 1, 6));
            gradient.forEach((name, g) -> {
                double[] sum = expected.computeIfAbsent(name, n -> new double[g.length]);
                for (int k = 0; k < g.length; k++) sum[k] += g[k] * g[k] / rows;
            });
        }
        double worst = 0;
        for (String name : weights.keySet()) {
            Tensor got = fisher.get(name);
            assertArrayEquals(weights.get(name).shape(), got.shape(), name + " shaped as the weight");
            double[] want = expected.get(name);
            double scale = TestBatches.maxAbs(want);
            assertTrue(scale > 0, name + ": the brute force has a nonzero Fisher");
            double error = 0;
            for (int k = 0; k < want.length; k++) {
                assertTrue(got.data()[k] >= 0, name + "[" + k + "] is " + got.data()[k] + ", a mean of squares is ≥ 0");
                error = Math.max(error, Math.abs(want[k] - got.data()[k]) / scale);
            }
            worst = Math.max(worst, error);
            assertTrue(error < twoWayTolerance(), name + ": relative error " + error
                    + "\n per-row brute force " + Arrays.toString(want) + "\n fisherDiagonal      " + Arrays.toString(got.data()));
        }
        System.out.printf("Fisher diagonal of %d rows against per-row gradients: worst relative error %.2e (tolerance %.0e)%n",
                rows, worst, twoWayTolerance());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Steps on an objective

    /**
     * Cross-entropy written as an objective, toward labels of its own (not the batch's), steps exactly as
     * {@code step} on a batch that carries those labels — same seeds, so the same dropout masks; with the batch itself
     * unlabelled too.
     */
    @Test
    void crossEntropyAsAnObjectiveStepsAsStepDoesForTheBase() {
        checkObjectiveStep(null);
    }

    @Test
    void crossEntropyAsAnObjectiveStepsAsStepDoesForAnAdapter() {
        checkObjectiveStep(new LoraSpec(2, 3.0, List.of("fc1", "fc3"), true, 0.25, false));
    }

    @Test
    void anObjectiveWithoutGradientMovesNothing() {
        Network network = backend().create(SMALL, 311);
        Batch batch = TestBatches.random(8, 6, 3, 312);
        Map<String, Tensor> before = network.weights();
        Trainer trainer = network.trainer(ADAM, 313);
        int[] seen = new int[2];
        double loss = trainer.step(Batch.unlabelled(batch.features(), 8, 6), (logits, rows, classes, gradient) -> {
            seen[0] = rows;
            seen[1] = classes;
            Arrays.fill(gradient, 0, rows * classes, 0f);
            return 0.25;
        });
        assertEquals(0.25, loss, 0.0, "step returns the objective's loss");
        assertArrayEquals(new int[] {8, 3}, seen, "the objective sees rows × classes");
        assertEquals(1, trainer.steps());
        assertTrue(TestBatches.sameTensors(before, network.weights()), "a zero gradient moves no weight (Adam, no decay)");
        assertContains(fails(IllegalArgumentException.class, () -> trainer.step(Batch.unlabelled(batch.features(), 8, 6))), "labels");
    }

    @Test
    void anObjectiveWhoseLossIsNotFiniteStopsTheStep() {
        Network network = backend().create(SMALL, 321);
        Batch batch = TestBatches.random(8, 6, 3, 322);
        Map<String, Tensor> before = network.weights();
        Trainer trainer = network.trainer(ADAM, 323);
        String message = fails(NonFiniteLossException.class, () -> trainer.step(batch, (logits, rows, classes, gradient) -> {
            Arrays.fill(gradient, 0, rows * classes, 1f);
            return Double.NaN;
        }));
        assertContains(message, "step 1");
        assertTrue(TestBatches.sameTensors(before, network.weights()), "no weight changed");
    }

    private void checkObjectiveStep(@Nullable LoraSpec spec) {
        Batch batch = TestBatches.random(9, 6, 3, 301);
        int[] others = new int[9];
        for (int i = 0; i < 9; i++) others[i] = (batch.labels()[i] + 1) % 3;
        Batch relabelled = new Batch(batch.features(), others, 9, 6);
        Batch unlabelled = Batch.unlabelled(batch.features(), 9, 6);

        Network byStep = twin(spec);
        Network byObjective = twin(spec);
        Network byUnlabelled = twin(spec);
        Trainer stepTrainer = byStep.trainer(ADAM, 303);
        Trainer objectiveTrainer = byObjective.trainer(ADAM, 303);
        Trainer unlabelledTrainer = byUnlabelled.trainer(ADAM, 303);
        for (int s = 1; s <= 3; s++) {
            double expected = stepTrainer.step(relabelled);
            double viaObjective = objectiveTrainer.step(batch, crossEntropy(others));
            double viaUnlabelled = unlabelledTrainer.step(unlabelled, crossEntropy(others));
            assertEquals(expected, viaObjective, 1e-12 * Math.abs(expected), "loss of step " + s);
            assertEquals(expected, viaUnlabelled, 1e-12 * Math.abs(expected), "loss of step " + s + ", unlabelled batch");
            Map<String, Introspection.Values> want = introspection().liveParameters(byStep);
            for (Network other : List.of(byObjective, byUnlabelled)) {
                Map<String, Introspection.Values> got = introspection().liveParameters(other);
                for (String name : want.keySet()) {
                    double[] w = want.get(name).toArray();
                    double[] g = got.get(name).toArray();
                    for (int k = 0; k < w.length; k++) {
                        assertEquals(w[k], g[k], 1e-6 * Math.max(1, Math.abs(w[k])), name + "[" + k + "] after step " + s);
                    }
                }
            }
        }
        Map<String, Introspection.Values> untrained = introspection().liveParameters(twin(spec));
        Map<String, Introspection.Values> trained = introspection().liveParameters(byObjective);
        assertFalse(untrained.keySet().stream().allMatch(name -> Arrays.equals(untrained.get(name).toArray(), trained.get(name).toArray())),
                "the steps trained something");
    }

    /** A network of fixed seeds, with the adapter {@code spec} attached (B nudged) when given. */
    private Network twin(@Nullable LoraSpec spec) {
        Network network = backend().create(SMALL, 302);
        if (spec != null) {
            network.attach(spec, 304);
            nudgeB(network, 305);
        }
        return network;
    }

    /** Mean softmax cross-entropy toward {@code labels}, written as the model writes it. */
    private static Objective crossEntropy(int[] labels) {
        return (logits, rows, classes, gradient) -> {
            double total = 0;
            for (int i = 0; i < rows; i++) {
                int row = i * classes;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < classes; j++) max = Math.max(max, logits[row + j]);
                double sum = 0;
                for (int j = 0; j < classes; j++) sum += Math.exp(logits[row + j] - max);
                total += Math.log(sum) + max - logits[row + labels[i]];
                for (int j = 0; j < classes; j++) {
                    double p = Math.exp(logits[row + j] - max) / sum;
                    gradient[row + j] = (float) ((p - (j == labels[i] ? 1 : 0)) / rows);
                }
            }
            return total / rows;
        };
    }

    // ---------------------------------------------------------------------------------------------------------------
    // EWC's change penalty

    @Test
    void changePenaltyGradientOnAdaptedWeightsAndTrainedBiases() {
        checkPenaltyGradient(new LoraSpec(2, 3.0, List.of("fc1", "fc3"), true, 0.25, false), 2.5);
    }

    @Test
    void changePenaltyGradientRankStabilisedWithoutBiases() {
        checkPenaltyGradient(new LoraSpec(3, 2.0, List.of("fc2", "fc3"), false, 0.0, true), 0.75);
    }

    @Test
    void aPenaltyOfStrengthZeroChangesNoGradient() {
        Network network = backend().create(SMALL, 401);
        network.attach(new LoraSpec(2, 3.0, List.of("fc1", "fc2", "fc3"), true, 0.25, false), 402);
        nudgeB(network, 403);
        nudge(network, "fc2.bias", 404);
        Batch batch = TestBatches.random(8, 6, 3, 405);
        Trainer penalised = network.trainer(ADAM, 406);
        penalised.penaliseChange(importance(network, 407), 0.0);
        Map<String, double[]> plain = introspection().gradients(network.trainer(ADAM, 406), batch);
        Map<String, double[]> withPenalty = introspection().gradients(penalised, batch);
        for (String name : plain.keySet()) {
            double[] p = plain.get(name);
            double[] w = withPenalty.get(name);
            for (int k = 0; k < p.length; k++) assertEquals(p[k], w[k], 0.0, name + "[" + k + "]");
        }
    }

    /** The loss a step returns leaves the penalty out, but the update follows it; a strong penalty keeps the change small. */
    @Test
    void thePenaltyMovesTheUpdateNotTheReportedLoss() {
        LoraSpec spec = new LoraSpec(2, 4.0, List.of("fc1", "fc2", "fc3"), true, 0.0, false);
        Batch batch = TestBatches.random(16, 6, 3, 411);
        Network plainNetwork = backend().create(SMALL, 412);
        Adapter plainAdapter = plainNetwork.attach(spec, 413);
        nudgeB(plainNetwork, 414);
        Network penalisedNetwork = backend().create(SMALL, 412);
        Adapter penalisedAdapter = penalisedNetwork.attach(spec, 413);
        nudgeB(penalisedNetwork, 414);
        Map<String, Tensor> base = plainNetwork.weights();
        Map<String, Tensor> importance = importance(plainNetwork, 415);

        Trainer plain = plainNetwork.trainer(ADAM, 416);
        Trainer penalised = penalisedNetwork.trainer(ADAM, 416);
        penalised.penaliseChange(importance, 50.0);
        assertEquals(plain.step(batch), penalised.step(batch), 0.0, "the first step's loss is the cross-entropy alone");
        assertFalse(TestBatches.sameTensors(plainAdapter.weights(), penalisedAdapter.weights()), "the penalty changed the update");
        for (int s = 0; s < 60; s++) {
            plain.step(batch);
            penalised.step(batch);
        }
        double plainChange = penalty(spec, plainAdapter.weights(), base, importance, 1.0);
        double penalisedChange = penalty(spec, penalisedAdapter.weights(), base, importance, 1.0);
        System.out.printf("½·Σ F⊙Δθ² after 61 steps: %.4g without the penalty, %.4g with λ = 50%n", plainChange, penalisedChange);
        assertTrue(penalisedChange < 0.5 * plainChange, "½·Σ F⊙Δθ² after 61 steps: " + plainChange + " without the penalty, "
                + penalisedChange + " with it");
    }

    @Test
    void changePenaltyRefusalsNameTheTensor() {
        Network network = backend().create(SMALL, 421);
        Map<String, Tensor> good = importance(network, 422);
        assertContains(fails(IllegalStateException.class, () -> network.trainer(ADAM, 1).penaliseChange(good, 1.0)), "adapter");
        network.attach(new LoraSpec(2, 3.0, List.of("fc1", "fc3"), true, 0.0, false), 423);

        Map<String, Tensor> wrongShape = new LinkedHashMap<>(good);
        wrongShape.put("fc2.weight", Tensor.zeros(5, 4));
        assertContains(refused(network, wrongShape, 1.0), "fc2.weight", "[5, 4]", "[4, 5]");
        Map<String, Tensor> missing = new LinkedHashMap<>(good);
        missing.remove("fc3.bias");
        assertContains(refused(network, missing, 1.0), "fc3.bias");
        assertContains(refused(network, withValue(good, "fc1.weight", 7, -1f), 1.0), "fc1.weight", "-1.0");
        assertContains(refused(network, withValue(good, "fc2.bias", 2, Float.NaN), 1.0), "fc2.bias", "NaN");
        assertContains(refused(network, withValue(good, "fc3.weight", 0, Float.POSITIVE_INFINITY), 1.0), "fc3.weight", "Infinity");
        assertContains(refused(network, good, -1.0), "strength");
        assertContains(refused(network, good, Double.NaN), "strength");

        Trainer trainer = network.trainer(ADAM, 1);
        trainer.penaliseChange(good, 1.0);
        assertContains(fails(IllegalStateException.class, () -> trainer.penaliseChange(good, 1.0)), "already");
    }

    /**
     * A refused importance leaves no penalty behind — not even for the layers checked before the one that failed (here
     * fc3.bias is missing, after fc1's and fc2's were found good): the gradients stay the plain ones and a good
     * importance is then accepted.
     */
    @Test
    void aRefusedImportanceLeavesNoPenaltyBehind() {
        Network network = backend().create(SMALL, 441);
        network.attach(new LoraSpec(2, 3.0, List.of("fc1", "fc3"), true, 0.0, false), 442);
        nudgeB(network, 443);
        Map<String, Tensor> good = importance(network, 444);
        Map<String, Tensor> missing = new LinkedHashMap<>(good);
        missing.remove("fc3.bias");
        Trainer trainer = network.trainer(ADAM, 445);
        assertThrows(IllegalArgumentException.class, () -> trainer.penaliseChange(missing, 1.0));
        Batch batch = TestBatches.random(8, 6, 3, 446);
        Map<String, double[]> plain = introspection().gradients(network.trainer(ADAM, 445), batch);
        Map<String, double[]> afterRefusal = introspection().gradients(trainer, batch);
        for (String name : plain.keySet()) {
            assertArrayEquals(plain.get(name), afterRefusal.get(name), name + ": the refused importance added a penalty");
        }
        trainer.penaliseChange(good, 1.0);
    }

    /** The message of penaliseChange's refusal on a fresh trainer of the attached adapter. */
    private static String refused(Network network, Map<String, Tensor> importance, double strength) {
        return fails(IllegalArgumentException.class, () -> network.trainer(ADAM, 1).penaliseChange(importance, strength));
    }

    private void checkPenaltyGradient(LoraSpec spec, double strength) {
        Network network = backend().create(SMALL, 431);
        Map<String, Tensor> base = network.weights();
        Adapter adapter = network.attach(spec, 432);
        nudgeB(network, 433);
        if (spec.trainBias()) {
            for (String target : spec.targets()) nudge(network, target + ".bias", 434);
        }
        Map<String, Tensor> importance = importance(network, 435);
        Batch batch = TestBatches.random(8, 6, 3, 436);

        // Two trainers of one seed draw the same dropout masks: their gradients differ by the penalty's alone.
        Trainer penalised = network.trainer(ADAM, 437);
        penalised.penaliseChange(importance, strength);
        Map<String, double[]> plain = introspection().gradients(network.trainer(ADAM, 437), batch);
        Map<String, double[]> withPenalty = introspection().gradients(penalised, batch);
        assertEquals(adapter.weights().keySet(), withPenalty.keySet());

        Map<String, Tensor> tensors = adapter.weights();
        double worst = 0;
        for (String name : withPenalty.keySet()) {
            double[] added = new double[withPenalty.get(name).length];
            for (int k = 0; k < added.length; k++) added[k] = withPenalty.get(name)[k] - plain.get(name)[k];
            double[] numeric = penaltyGradient(spec, tensors, base, importance, strength, name);
            double scale = Math.max(TestBatches.maxAbs(numeric), TestBatches.maxAbs(added));
            assertTrue(TestBatches.maxAbs(numeric) > 1e-3, name + ": the penalty has a gradient here");
            double error = 0;
            for (int k = 0; k < added.length; k++) error = Math.max(error, Math.abs(added[k] - numeric[k]) / scale);
            worst = Math.max(worst, error);
            assertTrue(error < twoWayTolerance(), name + ": relative error " + error
                    + "\n added by the penalty " + Arrays.toString(added) + "\n finite differences   " + Arrays.toString(numeric));
        }
        System.out.printf("change penalty (%s, λ = %s): worst relative error %.2e over %s (tolerance %.0e)%n",
                spec.targets(), strength, worst, withPenalty.keySet(), twoWayTolerance());
    }

    /** Central differences, in double, of {@link #penalty} with respect to the adapter tensor {@code name}. */
    private static double[] penaltyGradient(LoraSpec spec, Map<String, Tensor> adapter, Map<String, Tensor> base,
                                            Map<String, Tensor> importance, double strength, String name) {
        Map<String, double[]> values = new LinkedHashMap<>();
        adapter.forEach((n, t) -> values.put(n, toDoubles(t.data())));
        double[] varied = values.get(name);
        double[] gradient = new double[varied.length];
        double h = 1e-3;
        for (int k = 0; k < varied.length; k++) {
            double original = varied[k];
            varied[k] = original + h;
            double up = penaltyOf(spec, values, base, importance, strength);
            varied[k] = original - h;
            double down = penaltyOf(spec, values, base, importance, strength);
            varied[k] = original;
            gradient[k] = (up - down) / (2 * h);
        }
        return gradient;
    }

    private static double penalty(LoraSpec spec, Map<String, Tensor> adapter, Map<String, Tensor> base,
                                  Map<String, Tensor> importance, double strength) {
        Map<String, double[]> values = new LinkedHashMap<>();
        adapter.forEach((n, t) -> values.put(n, toDoubles(t.data())));
        return penaltyOf(spec, values, base, importance, strength);
    }

    /** ½·λ·Σ F ⊙ (s·B·A)² over the adapted weights, plus ½·λ·Σ F_b ⊙ (b − b_base)² over the biases the adapter trains. */
    private static double penaltyOf(LoraSpec spec, Map<String, double[]> adapter, Map<String, Tensor> base,
                                  Map<String, Tensor> importance, double strength) {
        double s = spec.scaling();
        int r = spec.rank();
        double total = 0;
        for (String layer : spec.targets()) {
            Tensor w = base.get(layer + ".weight");
            int out = w.dim(0);
            int in = w.dim(1);
            double[] a = adapter.get(LoraSpec.nameOfA(layer));
            double[] b = adapter.get(LoraSpec.nameOfB(layer));
            float[] f = importance.get(layer + ".weight").data();
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    double change = 0;
                    for (int k = 0; k < r; k++) change += b[o * r + k] * a[k * in + i];
                    change *= s;
                    total += 0.5 * strength * f[o * in + i] * change * change;
                }
            }
            if (spec.trainBias()) {
                double[] bias = adapter.get(layer + ".bias");
                float[] baseBias = base.get(layer + ".bias").data();
                float[] fb = importance.get(layer + ".bias").data();
                for (int o = 0; o < out; o++) {
                    double change = bias[o] - baseBias[o];
                    total += 0.5 * strength * fb[o] * change * change;
                }
            }
        }
        return total;
    }

    /** Random importance in [0.1, 2), named and shaped as the base's weights and biases. */
    private static Map<String, Tensor> importance(Network network, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Tensor> importance = new LinkedHashMap<>();
        network.weights().forEach((name, tensor) -> {
            float[] data = new float[tensor.data().length];
            for (int k = 0; k < data.length; k++) data[k] = (float) (0.1 + 1.9 * random.nextDouble());
            importance.put(name, new Tensor(tensor.shape(), data));
        });
        return importance;
    }

    private static Map<String, Tensor> withValue(Map<String, Tensor> tensors, String name, int index, float value) {
        Map<String, Tensor> changed = new LinkedHashMap<>(tensors);
        Tensor tensor = changed.get(name).copy();
        tensor.data()[index] = value;
        changed.put(name, tensor);
        return changed;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Helpers

    /**
     * Losses on the hidden pre-activations and on the logits: ½·Σ c_j·z_ij² on fc1's, Σ d_j·z_ij on fc2's (linear, so
     * its gradient reaches z where the ReLU is closed too), and the mean cross-entropy toward fixed targets. Keeps a
     * copy of every z and of the logits it sees.
     */
    private static final class TestProbe implements Probe {
        final int[] targets;
        final double[] c = new double[5];
        final double[] d = new double[4];
        final List<float[]> seen = new ArrayList<>();

        TestProbe(int[] targets, long seed) {
            this.targets = targets;
            SplittableRandom random = new SplittableRandom(seed);
            for (int j = 0; j < c.length; j++) c[j] = 0.5 + random.nextDouble();
            for (int j = 0; j < d.length; j++) d[j] = random.nextDouble() - 0.5;
        }

        @Override
        public double hidden(int layer, float[] z, int rows, int units, float[] gradient) {
            seen.add(Arrays.copyOf(z, rows * units));
            zerosOnEntry(gradient, rows * units, "fc" + (layer + 1));
            double loss = 0;
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < units; j++) {
                    int k = i * units + j;
                    if (layer == 0) {
                        loss += 0.5 * c[j] * z[k] * z[k];
                        gradient[k] = (float) (c[j] * z[k]);
                    } else {
                        loss += d[j] * z[k];
                        gradient[k] = (float) d[j];
                    }
                }
            }
            return loss;
        }

        @Override
        public double logits(float[] logits, int rows, int classes, float[] gradient) {
            seen.add(Arrays.copyOf(logits, rows * classes));
            zerosOnEntry(gradient, rows * classes, "the logits");
            return crossEntropy(targets).lossAndGradient(logits, rows, classes, gradient);
        }

        private static void zerosOnEntry(float[] gradient, int size, String where) {
            for (int k = 0; k < size; k++) {
                if (gradient[k] != 0) throw new AssertionError("the gradient array of " + gradient.length + " for " + where
                        + " holds " + gradient[k] + " at " + k + " on entry; a probe is given zeros");
            }
        }
    }

    private void checkProbeGradient(Network network, Batch batch) {
        TestProbe probe = new TestProbe(targets(batch.rows()), 7);
        float[] analytic = new float[batch.rows() * batch.columns()];
        network.probe(batch, probe, analytic);
        float[] features = batch.features();
        double h = step();
        DoubleSupplier loss = () -> network.probe(batch, probe, null);
        double[] numeric = new double[analytic.length];
        for (int k = 0; k < analytic.length; k++) {
            float original = features[k];
            features[k] = (float) (original + h);
            float upValue = features[k];
            double up = loss.getAsDouble();
            features[k] = (float) (original - h);
            float downValue = features[k];
            double down = loss.getAsDouble();
            features[k] = original;
            numeric[k] = (up - down) / ((double) upValue - downValue);
        }
        double difference = 0;
        for (int k = 0; k < analytic.length; k++) difference = Math.max(difference, Math.abs(analytic[k] - numeric[k]));
        double scale = Math.max(Math.max(TestBatches.maxAbs(analytic), TestBatches.maxAbs(numeric)), 1e-8);
        assertTrue(TestBatches.maxAbs(analytic) > 1e-3, "the input gradient is not zero");
        for (int i = 0; i < batch.rows(); i++) {
            double rowMax = 0;
            for (int k = 0; k < batch.columns(); k++) rowMax = Math.max(rowMax, Math.abs(analytic[i * batch.columns() + k]));
            assertTrue(rowMax > 0, "row " + i + " has a gradient");
        }
        assertTrue(difference / scale < finiteDifferenceTolerance(), "input gradient: relative error " + difference / scale
                + "\n analytic " + Arrays.toString(analytic) + "\n numeric  " + Arrays.toString(numeric));
        System.out.printf("probe input gradient (h = %.0e): relative error %.2e (tolerance %.0e)%n", h, difference / scale,
                finiteDifferenceTolerance());
    }

    private static int[] targets(int rows) {
        int[] targets = new int[rows];
        for (int i = 0; i < rows; i++) targets[i] = (i * 2 + 1) % 3;
        return targets;
    }

    /** Each hidden layer's z and the logits, in double, from the named tensors (adapter: s·x·Aᵀ·Bᵀ added where adapted). */
    private static List<double[]> byHand(Map<String, Tensor> weights, Map<String, Tensor> adapter, double s, Batch batch) {
        List<double[]> out = new ArrayList<>();
        double[] x = toDoubles(Arrays.copyOf(batch.features(), batch.rows() * batch.columns()));
        int rows = batch.rows();
        int in = batch.columns();
        for (int l = 1; weights.containsKey("fc" + l + ".weight"); l++) {
            Tensor w = weights.get("fc" + l + ".weight");
            float[] b = weights.get("fc" + l + ".bias").data();
            int outputs = w.dim(0);
            Tensor a = adapter.get(LoraSpec.nameOfA("fc" + l));
            Tensor bb = adapter.get(LoraSpec.nameOfB("fc" + l));
            double[] z = new double[rows * outputs];
            for (int i = 0; i < rows; i++) {
                for (int o = 0; o < outputs; o++) {
                    double sum = b[o];
                    for (int k = 0; k < in; k++) sum += x[i * in + k] * w.get(o, k);
                    if (a != null && bb != null) {
                        for (int q = 0; q < a.dim(0); q++) {
                            double u = 0;
                            for (int k = 0; k < in; k++) u += x[i * in + k] * a.get(q, k);
                            sum += s * u * bb.get(o, q);
                        }
                    }
                    z[i * outputs + o] = sum;
                }
            }
            out.add(z);
            x = new double[z.length];
            for (int k = 0; k < z.length; k++) x[k] = Math.max(z[k], 0);
            in = outputs;
        }
        return out;
    }

    /** Sets every lora_B of the attached adapter to U(-0.5, 0.5) draws, through the live parameters. */
    private void nudgeB(Network network, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        introspection().liveParameters(network).forEach((name, values) -> {
            if (!name.endsWith("lora_B.weight")) return;
            for (int k = 0; k < values.size(); k++) values.set(k, random.nextDouble() - 0.5);
        });
    }

    /** Moves every value of a live parameter by U(-0.2, 0.2). */
    private void nudge(Network network, String name, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Introspection.Values values = introspection().liveParameters(network).get(name);
        for (int k = 0; k < values.size(); k++) values.set(k, values.get(k) + 0.4 * random.nextDouble() - 0.2);
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int k = 0; k < values.length; k++) out[k] = values[k];
        return out;
    }

    private static String fails(Class<? extends RuntimeException> type, Executable action) {
        String message = assertThrows(type, action).getMessage();
        return message == null ? "" : message;
    }

    private static void assertContains(String message, String... parts) {
        for (String part : parts) assertTrue(message.contains(part), "message lacks \"" + part + "\": " + message);
    }
}
