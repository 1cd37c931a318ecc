package dev.toylora.runner.retention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.Tensor;
import dev.toylora.engine.java.JavaBackend;
import dev.toylora.io.data.Dataset;
import dev.toylora.io.safetensors.CheckpointException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The statistics recorded with the base: each hidden unit's mean and population variance of its pre-activation
 * z = x·Wᵀ + b over the data (eval mode: the network's dropout plays no part), against the same computed by hand in
 * double from {@code weights()}; 600 rows, so the recording runs in two slices (512 + 88).
 */
class BaseStatisticsTest {
    private static final NetworkSpec SPEC = new NetworkSpec(5, List.of(4, 3), 2, 0.3);

    private final Network base = new JavaBackend().create(SPEC, 3);
    private final Dataset data = data(600, 4);

    @Test
    void meansAndVariancesOfThePreActivations() {
        BaseStatistics statistics = BaseStatistics.record(base, data);
        assertEquals(2, statistics.layers());
        List<double[][]> expected = byHand(base.weights(), data);
        for (int l = 0; l < 2; l++) {
            double[] mean = expected.get(l)[0];
            double[] variance = expected.get(l)[1];
            assertEquals(mean.length, statistics.means().get(l).length, "units of fc" + (l + 1));
            assertEquals(variance.length, statistics.variances().get(l).length);
            for (int j = 0; j < mean.length; j++) {
                assertEquals(mean[j], statistics.means().get(l)[j], 1e-5 * Math.max(1, Math.abs(mean[j])), "mean of fc" + (l + 1) + " unit " + j);
                assertEquals(variance[j], statistics.variances().get(l)[j], 1e-5 * Math.max(1, variance[j]), "variance of fc" + (l + 1) + " unit " + j);
                assertTrue(variance[j] > 1e-3, "a unit that varies");
            }
        }
    }

    @Test
    void recordingChangesNothing() {
        Map<String, Tensor> before = base.weights();
        float[] logits = base.logits(data.asBatch());
        BaseStatistics.record(base, data);
        Map<String, Tensor> after = base.weights();
        for (String name : before.keySet()) assertTrue(before.get(name).sameAs(after.get(name)), name);
        assertArrayEquals(logits, base.logits(data.asBatch()));
    }

    @Test
    void tensorsRoundTripAndSize() {
        BaseStatistics statistics = BaseStatistics.record(base, data);
        Map<String, Tensor> tensors = statistics.tensors();
        assertEquals(List.of("fc1.z.mean", "fc1.z.var", "fc2.z.mean", "fc2.z.var"), List.copyOf(tensors.keySet()));
        assertArrayEquals(new int[] {4}, tensors.get("fc1.z.var").shape());
        assertArrayEquals(new int[] {3}, tensors.get("fc2.z.mean").shape());
        assertEquals(4L * 2 * (4 + 3), statistics.bytes(), "two float32 vectors per hidden layer");

        BaseStatistics back = BaseStatistics.of(tensors, 2, "memory");
        assertSame(statistics, back);
        tensors.get("fc1.z.mean").data()[0] = 1e9f;
        assertTrue(statistics.means().get(0)[0] != 1e9f, "tensors() hands out copies");

        String message = assertThrows(CheckpointException.class, () -> BaseStatistics.of(statistics.tensors(), 3, "stats.safetensors")).getMessage();
        assertTrue(message.contains("stats.safetensors") && message.contains("fc3.z.mean"), message);
        Map<String, Tensor> uneven = new LinkedHashMap<>(statistics.tensors());
        uneven.put("fc2.z.var", Tensor.zeros(4));
        assertThrows(CheckpointException.class, () -> BaseStatistics.of(uneven, 2, "uneven"));
        assertThrows(IllegalArgumentException.class, () -> new BaseStatistics(List.of(new float[2]), List.of()));
    }

    @Test
    void savedAndLoaded(@TempDir Path folder) throws Exception {
        BaseStatistics statistics = BaseStatistics.record(base, data);
        Path file = folder.resolve("base.statistics.safetensors");
        statistics.save(file);
        assertSame(statistics, BaseStatistics.load(file, 2).orElseThrow());
        assertTrue(BaseStatistics.load(folder.resolve("missing"), 2).isEmpty());
        assertTrue(BaseStatistics.load(file, 3).isEmpty(), "statistics of another depth are not these");
        Path broken = folder.resolve("broken");
        Files.writeString(broken, "not a safetensors file");
        assertTrue(BaseStatistics.load(broken, 2).isEmpty());
    }

    @Test
    void fisherIsTheNetworksFisherDiagonalOnTheData() {
        Map<String, Tensor> fisher = BaseStatistics.fisher(base, data);
        Map<String, Tensor> direct = base.fisherDiagonal(data.asBatch());
        assertEquals(direct.keySet(), fisher.keySet());
        for (String name : direct.keySet()) assertTrue(direct.get(name).sameAs(fisher.get(name)), name);
    }

    private static void assertSame(BaseStatistics expected, BaseStatistics actual) {
        assertEquals(expected.layers(), actual.layers());
        for (int l = 0; l < expected.layers(); l++) {
            assertArrayEquals(expected.means().get(l), actual.means().get(l));
            assertArrayEquals(expected.variances().get(l), actual.variances().get(l));
        }
    }

    /** Per hidden layer {mean, population variance} of z = x·Wᵀ + b, with x the ReLU of the layer below (eval mode). */
    private static List<double[][]> byHand(Map<String, Tensor> weights, Dataset data) {
        float[] features = data.features();
        int rows = data.rows();
        int in = data.columns();
        double[] x = new double[features.length];
        for (int k = 0; k < x.length; k++) x[k] = features[k];
        List<double[][]> out = new java.util.ArrayList<>();
        for (int l = 1; l <= SPEC.hidden().size(); l++) {
            Tensor w = weights.get("fc" + l + ".weight");
            float[] b = weights.get("fc" + l + ".bias").data();
            int units = w.dim(0);
            double[] z = new double[rows * units];
            double[] mean = new double[units];
            double[] variance = new double[units];
            for (int i = 0; i < rows; i++) {
                for (int o = 0; o < units; o++) {
                    double sum = b[o];
                    for (int k = 0; k < in; k++) sum += x[i * in + k] * w.get(o, k);
                    z[i * units + o] = sum;
                    mean[o] += sum / rows;
                }
            }
            for (int i = 0; i < rows; i++) {
                for (int o = 0; o < units; o++) variance[o] += Math.pow(z[i * units + o] - mean[o], 2) / rows;
            }
            out.add(new double[][] {mean, variance});
            x = new double[z.length];
            for (int k = 0; k < z.length; k++) x[k] = Math.max(0, z[k]);
            in = units;
        }
        return out;
    }

    private static Dataset data(int rows, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] features = new float[rows * 5];
        int[] labels = new int[rows];
        for (int k = 0; k < features.length; k++) features[k] = (float) (2 * random.nextDouble() - 1);
        for (int i = 0; i < rows; i++) labels[i] = random.nextInt(2);
        return new Dataset("data", features, labels, rows, 5);
    }
}
