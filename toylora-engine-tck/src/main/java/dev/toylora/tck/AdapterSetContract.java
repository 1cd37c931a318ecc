package dev.toylora.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.api.AdapterSet;
import dev.toylora.api.AdapterSet.Combination;
import dev.toylora.api.Batch;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Several adapters on one base ({@link AdapterSet}): switching gives exactly the logits of that adapter alone,
 * disabling gives the base bit for bit, and PEFT's weighted combinations compute what their formulas say.
 */
public abstract class AdapterSetContract extends ContractTopic {
    private static final NetworkSpec SMALL = new NetworkSpec(12, List.of(10, 8), 5, 0.1);
    /** Rank 2 on fc1 and fc3, biases trained, s = 3/2. */
    private static final LoraSpec ONE = new LoraSpec(2, 3, List.of("fc1", "fc3"), true, 0.0, false);
    /** Rank 3 on fc2 and fc3, no biases, rsLoRA s = 4/√3: another rank, other layers, another scaling. */
    private static final LoraSpec TWO = new LoraSpec(3, 4, List.of("fc2", "fc3"), false, 0.0, true);
    /** Rank 2 on fc1 and fc2, s = 1/2: LINEAR needs ONE's rank. */
    private static final LoraSpec THREE = new LoraSpec(2, 1, List.of("fc1", "fc2"), false, 0.0, false);

    private final Network network = backend().create(SMALL, 3);
    private final Map<String, Tensor> base = network.weights();
    private final Batch batch = TestBatches.random(16, 12, 5, 4);
    private final Map<String, Tensor> one = trained(ONE, 11);
    private final Map<String, Tensor> two = trained(TWO, 12);
    private final Map<String, Tensor> three = trained(THREE, 13);

    protected AdapterSetContract(EngineContract engine) {
        super(engine);
    }

    /**
     * Serving several adapters in one batch (the base once for every row, each adapter's low-rank product on its own
     * rows) gives each row what that adapter alone gives it, and a mix what the CAT combination of its adapters gives.
     */
    @Test
    void oneBatchOfRowsForDifferentAdaptersGivesWhatEachAdapterGivesAlone() {
        AdapterSet set = new AdapterSet(network);
        set.add("one", ONE, one);
        set.add("two", TWO, two);
        float[] baseLogits = TestBatches.logits(network, batch);
        set.use("one");
        float[] oneAlone = TestBatches.logits(network, batch);
        set.use("two");
        float[] twoAlone = TestBatches.logits(network, batch);
        set.addWeighted("mix", Map.of("one", 1.0, "two", -0.5), Combination.CAT);
        set.use("mix");
        float[] mixAlone = TestBatches.logits(network, batch);

        int classes = SMALL.outputs();
        float[] served = new float[batch.rows() * classes];
        set.logits(batch, List.of(new AdapterSet.Rows(0, 5, Map.of("one", 1.0)), new AdapterSet.Rows(5, 4, Map.of("two", 1.0)),
                new AdapterSet.Rows(9, 3, Map.of("one", 1.0, "two", -0.5))), served);   // rows 12…15: the base
        float[][] expected = {oneAlone, twoAlone, mixAlone, baseLogits};
        int[] groupOf = {0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3};
        double scale = TestBatches.maxAbs(baseLogits);
        for (int row = 0; row < batch.rows(); row++) {
            for (int j = 0; j < classes; j++) {
                int k = row * classes + j;
                assertEquals(expected[groupOf[row]][k], served[k], 1e-5 * scale, "row " + row + ", class " + j);
            }
        }
        assertTrue(TestBatches.sameTensors(base, network.weights()), "serving changed no base tensor");
        assertThrows(IllegalArgumentException.class, () -> set.logits(batch, List.of(new AdapterSet.Rows(0, 5, Map.of()),
                new AdapterSet.Rows(4, 2, Map.of("one", 1.0))), served), "overlapping groups are refused");
    }

    /**
     * Batches that ask for every subset of six adapters (63 sets, more than an engine keeps stacked at once, so stacks are
     * dropped and made again), each row with one of the set's adapters: every row still gets what its adapter alone gives.
     */
    @Test
    void everySetOfAdaptersABatchAsksForServesEachRowItsOwnAdapter() {
        AdapterSet set = new AdapterSet(network);
        List<LoraSpec> specs = List.of(ONE, TWO, THREE, ONE, TWO, THREE);
        List<Map<String, Tensor>> weights = List.of(one, two, three, trained(ONE, 21), trained(TWO, 22), trained(THREE, 23));
        float[][] alone = new float[specs.size()][];
        for (int i = 0; i < specs.size(); i++) {
            set.add("a" + i, specs.get(i), weights.get(i));
            alone[i] = alone(specs.get(i), weights.get(i));
        }
        int classes = SMALL.outputs();
        float[] served = new float[batch.rows() * classes];
        for (int subset = 1; subset < 1 << specs.size(); subset++) {
            List<Integer> members = new java.util.ArrayList<>();
            for (int i = 0; i < specs.size(); i++) if ((subset & 1 << i) != 0) members.add(i);
            List<AdapterSet.Rows> rows = new java.util.ArrayList<>();
            int[] adapterOf = new int[batch.rows()];
            for (int row = 0; row < batch.rows(); row++) {
                adapterOf[row] = members.get(row % members.size());
                rows.add(new AdapterSet.Rows(row, 1, Map.of("a" + adapterOf[row], 1.0)));
            }
            set.logits(batch, rows, served);
            for (int row = 0; row < batch.rows(); row++) {
                float[] expected = Arrays.copyOfRange(alone[adapterOf[row]], row * classes, (row + 1) * classes);
                float[] actual = Arrays.copyOfRange(served, row * classes, (row + 1) * classes);
                double tolerance = 1e-5 * Math.max(1, TestBatches.maxAbs(alone[adapterOf[row]]));
                assertTrue(TestBatches.maxAbsDifference(expected, actual) <= tolerance, "subset " + members + ", row " + row + " (adapter a"
                        + adapterOf[row] + ") differs by " + TestBatches.maxAbsDifference(expected, actual));
            }
        }
        assertTrue(TestBatches.sameTensors(base, network.weights()), "serving changed no base tensor");
    }

    @Test
    void switchingGivesExactlyTheLogitsOfThatAdapterAloneAndDisablingGivesTheBase() {
        float[] baseLogits = TestBatches.logits(network, batch);
        float[] oneAlone = alone(ONE, one);
        float[] twoAlone = alone(TWO, two);
        assertFalse(Arrays.equals(oneAlone, twoAlone), "the two adapters differ");

        AdapterSet set = new AdapterSet(network);
        set.add("one", ONE, one);
        set.add("two", TWO, two);
        assertEquals(List.of("one", "two"), set.names());
        assertEquals(Optional.empty(), set.active());

        set.use("one");
        assertEquals(Optional.of("one"), set.active());
        assertArrayEquals(oneAlone, TestBatches.logits(network, batch));
        set.use("two");
        assertArrayEquals(twoAlone, TestBatches.logits(network, batch));
        network.adapter().orElseThrow().merge(); // switching away from a merged adapter unmerges it on the way
        set.use("one");
        assertArrayEquals(oneAlone, TestBatches.logits(network, batch));
        set.use("one"); // again: attached afresh, same logits
        assertArrayEquals(oneAlone, TestBatches.logits(network, batch));

        set.disable();
        assertEquals(Optional.empty(), set.active());
        assertTrue(network.adapter().isEmpty());
        assertArrayEquals(baseLogits, TestBatches.logits(network, batch));
        assertTrue(TestBatches.sameTensors(base, network.weights()), "every base tensor bit-identical, biases included");

        set.use("two");
        set.remove("two");
        assertEquals(List.of("one"), set.names());
        assertEquals(Optional.empty(), set.active(), "removing the active adapter runs the base");
        assertArrayEquals(baseLogits, TestBatches.logits(network, batch));
    }

    @Test
    void catWithWeightsOneIsTheBasePlusBothUpdates() {
        AdapterSet set = new AdapterSet(network);
        set.add("one", ONE, one);
        set.add("two", TWO, two);
        AdapterSet.Entry both = set.addWeighted("both", Map.of("two", 1.0, "one", 1.0), Combination.CAT);
        assertEquals(5, both.spec().rank(), "rank 2 + 3");
        assertEquals(1.0, both.spec().scaling());
        assertEquals(List.of("fc1", "fc2", "fc3"), both.spec().targets(), "the union of the targets, in layer order");
        assertTrue(both.spec().trainBias());

        set.use("both");
        assertClose(merged(Map.of(ONE, one, TWO, two), Map.of(ONE, 1.0, TWO, 1.0)), TestBatches.logits(network, batch));

        set.addWeighted("mix", Map.of("one", 0.5, "two", -2.0), Combination.CAT);
        set.use("mix");
        assertClose(merged(Map.of(ONE, one, TWO, two), Map.of(ONE, 0.5, TWO, -2.0)), TestBatches.logits(network, batch));
    }

    @Test
    void catOfOneAdapterWithWeightOneIsThatAdapter() {
        AdapterSet set = new AdapterSet(network);
        set.add("one", ONE, one);
        set.addWeighted("copy", Map.of("one", 1.0), Combination.CAT);
        set.use("copy");
        assertClose(alone(ONE, one), TestBatches.logits(network, batch));
    }

    @Test
    void linearIsPeftsFormulaCrossTermsIncluded() {
        AdapterSet set = new AdapterSet(network);
        set.add("one", ONE, one);
        set.add("three", THREE, three);
        double w1 = 0.7, w3 = 1.6;
        AdapterSet.Entry lin = set.addWeighted("lin", Map.of("one", w1, "three", w3), Combination.LINEAR);
        assertEquals(2, lin.spec().rank());
        assertEquals(1.0, lin.spec().scaling());
        assertEquals(List.of("fc1", "fc2", "fc3"), lin.spec().targets());

        // PEFT: c_i = √(w_i·s_i); A = Σ c_i·A_i, B = Σ c_i·B_i over the adapters that target the layer.
        double c1 = Math.sqrt(w1 * ONE.scaling()), c3 = Math.sqrt(w3 * THREE.scaling());
        Map<String, Tensor> expected = new LinkedHashMap<>();
        for (String layer : List.of("fc1", "fc2", "fc3")) {
            for (String part : List.of(".lora_A.weight", ".lora_B.weight")) {
                Tensor t1 = one.get(layer + part), t3 = three.get(layer + part);
                Tensor shape = t1 != null ? t1 : t3;
                float[] sum = new float[shape.data().length];
                for (int k = 0; k < sum.length; k++) {
                    sum[k] = (float) ((t1 == null ? 0 : c1 * t1.data()[k]) + (t3 == null ? 0 : c3 * t3.data()[k]));
                }
                expected.put(layer + part, new Tensor(shape.shape(), sum));
            }
            // three trains no bias: the combined bias is base + w1·(bias_one − base) where one trains it
            Tensor baseBias = base.get(layer + ".bias");
            Tensor oneBias = one.get(layer + ".bias");
            float[] bias = new float[baseBias.data().length];
            for (int k = 0; k < bias.length; k++) {
                bias[k] = (float) (baseBias.data()[k] + (oneBias == null ? 0 : w1 * ((double) oneBias.data()[k] - baseBias.data()[k])));
            }
            expected.put(layer + ".bias", new Tensor(baseBias.shape(), bias));
        }
        for (var e : expected.entrySet()) {
            assertArrayEquals(e.getValue().data(), lin.weights().get(e.getKey()).data(), 1e-6f, e.getKey());
        }

        // And the network computes base + B·A with those (scaling 1), the cross terms c1·c3·B_one·A_three included.
        set.use("lin");
        Map<String, Tensor> weights = new LinkedHashMap<>(base);
        for (String layer : List.of("fc1", "fc2", "fc3")) {
            addDelta(weights, layer, expected.get(layer + ".lora_A.weight"), expected.get(layer + ".lora_B.weight"), 1.0);
            weights.put(layer + ".bias", expected.get(layer + ".bias"));
        }
        float[] linear = TestBatches.logits(network, batch);
        assertClose(TestBatches.logits(backend().restore(SMALL, weights), batch), linear);
        // not the weighted sum of the updates (that is CAT's): the cross terms of fc1 and fc2 make a difference
        float[] sumOfUpdates = merged(Map.of(ONE, one, THREE, three), Map.of(ONE, w1, THREE, w3));
        assertTrue(TestBatches.maxAbsDifference(sumOfUpdates, linear) > 1e-3, "LINEAR differs from the sum of updates");
    }

    @Test
    void mistakesAreRefusedWithTheAdapterAndTensorNamed() {
        AdapterSet set = new AdapterSet(network);
        set.add("one", ONE, one);
        set.add("two", TWO, two);

        assertMessage(() -> set.use("nine"), "no adapter named 'nine'", "[one, two]");
        assertMessage(() -> set.remove("nine"), "no adapter named 'nine'");
        assertMessage(() -> set.addWeighted("x", Map.of("one", 1.0, "nine", 1.0), Combination.CAT), "no adapter named 'nine'");
        assertMessage(() -> set.add("one", ONE, one), "'one' is already in the set");
        assertMessage(() -> set.addWeighted("two", Map.of("one", 1.0), Combination.CAT), "'two' is already in the set");
        assertMessage(() -> set.addWeighted("x", Map.of(), Combination.CAT), "'x'", "no adapters to combine");
        assertMessage(() -> set.addWeighted("x", Map.of("one", 1.0, "two", 1.0), Combination.LINEAR), "same rank", "one r=2", "two r=3", "CAT");
        assertMessage(() -> set.addWeighted("x", Map.of("one", -1.0), Combination.LINEAR), "weight of 'one' is -1.0", ">= 0");
        assertMessage(() -> set.addWeighted("x", Map.of("one", Double.NaN), Combination.CAT), "weight of 'one' is NaN");

        Map<String, Tensor> missing = new LinkedHashMap<>(one);
        missing.remove("fc3.lora_B.weight");
        assertMessage(() -> set.add("bad", ONE, missing), "adapter 'bad' lacks tensor fc3.lora_B.weight [5, 2]");
        Map<String, Tensor> wrongShape = new LinkedHashMap<>(one);
        wrongShape.put("fc1.lora_A.weight", Tensor.zeros(3, 12));
        assertMessage(() -> set.add("bad", ONE, wrongShape), "adapter 'bad'", "fc1.lora_A.weight", "[3, 12]", "expected [2, 12]");
        Map<String, Tensor> extra = new LinkedHashMap<>(one);
        extra.put("fc2.lora_A.weight", Tensor.zeros(2, 10));
        assertMessage(() -> set.add("bad", ONE, extra), "adapter 'bad' has tensor fc2.lora_A.weight");
        Map<String, Tensor> nan = new LinkedHashMap<>(one);
        nan.put("fc3.bias", new Tensor(new int[] {5}, new float[] {0, 0, Float.NaN, 0, 0}));
        assertMessage(() -> set.add("bad", ONE, nan), "adapter 'bad'", "fc3.bias", "NaN");
        assertMessage(() -> set.add("bad", LoraSpec.of(2, 2, List.of("fc9")), Map.of()), "adapter 'bad'", "fc9");
        assertMessage(() -> set.add(" ", ONE, one), "name");
        assertEquals(List.of("one", "two"), set.names(), "nothing refused was added");

        network.attach(ONE, 1);
        assertThrows(IllegalStateException.class, () -> new AdapterSet(network));
    }

    /** The adapter's tensors after "training": A as attached, B and the biases random. */
    private Map<String, Tensor> trained(LoraSpec spec, long seed) {
        Network scratch = backend().restore(SMALL, base);
        Map<String, Tensor> weights = TestBatches.withRandomB(scratch.attach(spec, seed).weights(), seed);
        SplittableRandom random = new SplittableRandom(seed + 100);
        weights.replaceAll((name, t) -> {
            if (!name.endsWith(".bias")) return t;
            float[] data = t.data().clone();
            for (int k = 0; k < data.length; k++) data[k] += (float) (random.nextDouble() - 0.5);
            return new Tensor(t.shape(), data);
        });
        return weights;
    }

    /** Logits of a fresh copy of the base with this adapter attached alone. */
    private float[] alone(LoraSpec spec, Map<String, Tensor> weights) {
        Network fresh = backend().restore(SMALL, base);
        fresh.attach(spec, 99).load(weights);
        return TestBatches.logits(fresh, batch);
    }

    /** Logits of the base with W + Σ w_i·s_i·B_i·A_i and bias + Σ w_i·(bias_i − bias), merged by hand. */
    private float[] merged(Map<LoraSpec, Map<String, Tensor>> adapters, Map<LoraSpec, Double> weights) {
        Map<String, Tensor> result = new LinkedHashMap<>(base);
        for (var e : adapters.entrySet()) {
            LoraSpec spec = e.getKey();
            double w = weights.get(spec);
            for (String layer : spec.targets()) {
                addDelta(result, layer, e.getValue().get(layer + ".lora_A.weight"), e.getValue().get(layer + ".lora_B.weight"), w * spec.scaling());
                if (spec.trainBias()) {
                    float[] now = result.get(layer + ".bias").data().clone();
                    float[] own = e.getValue().get(layer + ".bias").data(), b0 = base.get(layer + ".bias").data();
                    for (int k = 0; k < now.length; k++) now[k] = (float) (now[k] + w * ((double) own[k] - b0[k]));
                    result.put(layer + ".bias", new Tensor(new int[] {now.length}, now));
                }
            }
        }
        return TestBatches.logits(backend().restore(SMALL, result), batch);
    }

    /** weights[layer.weight] += scale·B·A (B [out, r], A [r, in], W [out, in]), in double. */
    private static void addDelta(Map<String, Tensor> weights, String layer, Tensor a, Tensor b, double scale) {
        Tensor w = weights.get(layer + ".weight");
        int out = w.dim(0), in = w.dim(1), r = a.dim(0);
        float[] sum = w.data().clone();
        for (int i = 0; i < out; i++) {
            for (int j = 0; j < in; j++) {
                double delta = 0;
                for (int k = 0; k < r; k++) delta += (double) b.get(i, k) * a.get(k, j);
                sum[i * in + j] = (float) (sum[i * in + j] + scale * delta);
            }
        }
        weights.put(layer + ".weight", new Tensor(w.shape(), sum));
    }

    private static void assertClose(float[] expected, float[] actual) {
        double tolerance = 1e-5 * Math.max(1, TestBatches.maxAbs(expected));
        double difference = TestBatches.maxAbsDifference(expected, actual);
        assertTrue(difference <= tolerance, "logits differ by " + difference + " (allowed " + tolerance + ")");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable action, String... parts) {
        String message = assertThrows(IllegalArgumentException.class, action).getMessage();
        for (String part : parts) assertTrue(message.contains(part), "'" + part + "' not in: " + message);
    }
}
