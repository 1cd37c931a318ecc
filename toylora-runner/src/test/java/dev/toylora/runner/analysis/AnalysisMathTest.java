package dev.toylora.runner.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.api.LoraSpec;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.ojalgo.matrix.store.MatrixStore;
import org.ojalgo.matrix.store.R064Store;

/** The measurements on matrices whose answers are known by construction. */
class AnalysisMathTest {
    private static final double EPS = 1e-10;

    private static R064Store gaussian(Random random, int rows, int columns) {
        R064Store m = R064Store.FACTORY.make(rows, columns);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < columns; j++) m.set(i, j, random.nextGaussian());
        }
        return m;
    }

    private static R064Store diagonal(double... values) {
        R064Store m = R064Store.FACTORY.make(values.length, values.length);
        for (int i = 0; i < values.length; i++) m.set(i, i, values[i]);
        return m;
    }

    /** Columns {@code from … from+count−1} of the identity of size n: orthonormal directions along the axes. */
    private static MatrixStore<Double> axes(int n, int from, int count) {
        return R064Store.FACTORY.makeIdentity(n).offsets(0, from).limits(n, count);
    }

    @Test
    void phiOfASubspaceWithItselfIsOneOnTheDiagonal() {
        MatrixStore<Double> u = Svd.of(gaussian(new Random(1), 20, 6)).u();
        SubspaceSimilarity phi = SubspaceSimilarity.of(u, u);
        for (int i = 1; i <= 6; i++) assertEquals(1.0, phi.at(i, i), EPS, "φ(" + i + "," + i + ")");
        // the first i directions lie inside the first j ≥ i: φ(i, j) = i / min(i, j) = 1 above the diagonal too
        assertEquals(1.0, phi.at(2, 5), EPS);
        assertEquals(1.0, phi.meanTop(6), EPS);
    }

    @Test
    void phiOfOrthogonalSubspacesIsZero() {
        SubspaceSimilarity phi = SubspaceSimilarity.of(axes(10, 0, 3), axes(10, 3, 4));
        for (double[] row : phi.phi()) {
            for (double value : row) assertEquals(0.0, value, EPS);
        }
        assertEquals(3, phi.phi().length);
        assertEquals(4, phi.phi()[0].length);
    }

    @Test
    void phiCountsTheSharedDirectionsOverTheSmallerSide() {
        // U = e1, e2; V = e2, e3: the top direction of U is not in V's first, but one of U's two is in V's two
        SubspaceSimilarity phi = SubspaceSimilarity.of(axes(5, 0, 2), axes(5, 1, 2));
        assertEquals(0.0, phi.at(1, 1), EPS);
        assertEquals(0.5, phi.at(2, 2), EPS);
        assertEquals(1.0, phi.at(2, 1), EPS);
        assertEquals(2.0 / 5, SubspaceSimilarity.random(1, 2, 5), EPS);
    }

    @Test
    void theEnergyShareOfARankKMatrixReachesOneAtK() {
        Random random = new Random(2);
        MatrixStore<Double> rank3 = gaussian(random, 12, 3).multiply(gaussian(random, 3, 9));
        Svd svd = Svd.of(rank3);
        Spectrum spectrum = Spectrum.of(svd);
        assertEquals(3, svd.numericalRank());
        assertEquals(3, spectrum.values().length, "only the non-zero singular values are kept");
        assertTrue(spectrum.shareAt(2) < 1 - 1e-6, "two directions hold less than all: " + spectrum.shareAt(2));
        assertEquals(1.0, spectrum.shareAt(3), EPS);
        assertEquals(1.0, spectrum.shareAt(7), EPS);
        assertTrue(spectrum.k99() <= 3 && spectrum.k90() <= spectrum.k99());
        assertEquals(Svd.frobenius(rank3), spectrum.norm(), 1e-9);
    }

    @Test
    void theSmallestRankHoldingAShareCountsFromOne() {
        // singular values 8, 4, 4, 2: energies 64, 16, 16, 4 of 100, so the top k hold 64%, 80%, 96%, 100%
        Spectrum spectrum = Spectrum.of(Svd.of(diagonal(8, 2, 4, 4)));
        assertArrayEquals(new double[] {0.64, 0.80, 0.96, 1.0}, new double[] {spectrum.shareAt(1), spectrum.shareAt(2), spectrum.shareAt(3), spectrum.shareAt(4)}, EPS);
        assertEquals(3, spectrum.k90());
        assertEquals(4, spectrum.k99());
        assertEquals(1, Spectrum.rankHolding(new double[] {0.9, 1}, 0.9), "exactly at the threshold is enough");
    }

    @Test
    void amplificationOfAnUpdateAlongAWeakDirectionOfW() {
        // W's strengths 10, 5, 1, 0.5 along the axes; ΔW = 3·e3·e3ᵀ amplifies the direction where W is 1
        R064Store w = diagonal(10, 5, 1, 0.5);
        R064Store delta = R064Store.FACTORY.make(4, 4);
        delta.set(2, 2, 3);
        WeightCorrelation c = WeightCorrelation.of(w, Svd.of(w), Svd.of(delta), 1);
        assertEquals(1, c.rank());
        assertEquals(3.0, c.deltaNorm(), EPS);
        assertEquals(1.0, c.onDelta(), EPS);
        assertEquals(10.0, c.onWeight(), EPS);
        assertEquals(Math.sqrt(100 + 25 + 1 + 0.25) / 4, c.onRandom(), EPS);
        assertEquals(3.0, c.amplification(), EPS);
        // asked for more directions than ΔW has, Table 7 stops at its rank
        assertEquals(1, WeightCorrelation.of(w, Svd.of(w), Svd.of(delta), 4).rank());
    }

    @Test
    void theRandomBaselineIsTheRootMeanSquareOverRandomDirections() {
        Random random = new Random(3);
        MatrixStore<Double> w = gaussian(random, 7, 5);
        int r = 2, draws = 4000;
        double sum = 0;
        for (int n = 0; n < draws; n++) {
            // the left singular vectors of a Gaussian matrix span a uniformly random subspace
            MatrixStore<Double> u = Svd.of(gaussian(random, 7, r)).u(), v = Svd.of(gaussian(random, 5, r)).u();
            double norm = Svd.frobenius(u.transpose().multiply(w).multiply(v));
            sum += norm * norm;
        }
        double expected = WeightCorrelation.of(w, Svd.of(w), Svd.of(w), r).onRandom();
        assertEquals(expected, Math.sqrt(sum / draws), 0.03 * expected, "Monte Carlo root mean square against r·‖W‖_F/√(out·in)");
    }

    @Test
    void theFullUpdateInAnAdapterSubspace() {
        Random random = new Random(4);
        MatrixStore<Double> delta = gaussian(random, 6, 2).multiply(gaussian(random, 2, 8)).copy();
        Svd ofDelta = Svd.of(delta);
        FullInSubspace same = FullInSubspace.of(delta, Spectrum.of(ofDelta), delta, ofDelta);
        assertEquals(1.0, same.twoSided(), EPS);
        assertEquals(1.0, same.inputSide(), EPS);
        assertEquals(1.0, same.cosine(), EPS);
        assertEquals(1.0, same.best(), EPS);
        assertEquals(4.0 / 48, same.random(), EPS);

        R064Store alongE1 = R064Store.FACTORY.make(3, 3), alongE2 = R064Store.FACTORY.make(3, 3);
        alongE1.set(0, 0, 2);
        alongE2.set(1, 1, 5);
        FullInSubspace apart = FullInSubspace.of(alongE2, Spectrum.of(Svd.of(alongE2)), alongE1, Svd.of(alongE1));
        assertEquals(0.0, apart.twoSided(), EPS);
        assertEquals(0.0, apart.inputSide(), EPS);
        assertEquals(0.0, apart.cosine(), EPS);
    }

    @Test
    void theTruncationAtFullRankIsTheFullUpdateAndAtRankOneItsTopDirection() {
        NetworkSpec spec = new NetworkSpec(6, List.of(5), 3, 0.0);
        Random random = new Random(5);
        Map<String, Tensor> base = new LinkedHashMap<>(), full = new LinkedHashMap<>();
        for (NetworkSpec.LayerShape layer : spec.layerShapes()) {
            base.put(layer.name() + ".weight", tensor(random, layer.outputs(), layer.inputs()));
            base.put(layer.name() + ".bias", Tensor.zeros(layer.outputs()));
            full.put(layer.name() + ".weight", tensor(random, layer.outputs(), layer.inputs()));
            full.put(layer.name() + ".bias", new Tensor(new int[] {layer.outputs()}, tensor(random, 1, layer.outputs()).data()));
        }
        Analyzer analyzer = new Analyzer(spec, base, full, List.of(), List.of());
        for (NetworkSpec.LayerShape layer : spec.layerShapes()) {
            String name = layer.name();
            MatrixStore<Double> update = Svd.matrix(full.get(name + ".weight")).subtract(Svd.matrix(base.get(name + ".weight")));
            int all = Math.min(layer.outputs(), layer.inputs());
            Map<String, Tensor> tensors = analyzer.truncated(all);
            MatrixStore<Double> rebuilt = Svd.matrix(tensors.get(LoraSpec.nameOfB(name))).multiply(Svd.matrix(tensors.get(LoraSpec.nameOfA(name))));
            assertEquals(0.0, Svd.frobenius(rebuilt.subtract(update)), 1e-5, name + ": B·A at full rank is the update (float32 tensors)");
            assertTrue(tensors.get(name + ".bias").sameAs(full.get(name + ".bias")), "the fine-tuned bias");

            Map<String, Tensor> top = analyzer.truncated(1);
            MatrixStore<Double> one = Svd.matrix(top.get(LoraSpec.nameOfB(name))).multiply(Svd.matrix(top.get(LoraSpec.nameOfA(name))));
            double s1 = Svd.of(update).values()[0];
            assertEquals(s1, Svd.of(one).values()[0], 1e-5, name + ": rank 1 keeps the largest singular value");
            assertEquals(1, Svd.of(one).numericalRank());
        }
    }

    private static Tensor tensor(Random random, int rows, int columns) {
        float[] data = new float[rows * columns];
        for (int i = 0; i < data.length; i++) data[i] = (float) random.nextGaussian();
        return new Tensor(new int[] {rows, columns}, data);
    }
}
