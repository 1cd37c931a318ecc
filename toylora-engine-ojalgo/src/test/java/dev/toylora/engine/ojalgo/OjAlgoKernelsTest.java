package dev.toylora.engine.ojalgo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.toylora.api.OptimizerSpec;
import dev.toylora.model.kernel.AdamMath;
import dev.toylora.model.kernel.Matrix;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the contract suite cannot see: every way round a product may be taken (as asked, or transposed and turned back),
 * and that a matrix's kept transpose is never read after the matrix has been written.
 */
class OjAlgoKernelsTest {
    private final OjAlgoKernels kernels = new OjAlgoKernels();
    private final SplittableRandom random = new SplittableRandom(7);

    /** Shapes on both sides of the choice: long product rows, and short ones (r columns) taken transposed. */
    @ParameterizedTest
    @CsvSource({"64, 512, 784", "64, 16, 784", "512, 16, 64", "16, 784, 64", "64, 10, 128", "3, 5, 7", "200, 20, 600"})
    void everyFormOfProductMatchesTheDefinition(int m, int n, int depth) {
        float[][] alphaBeta = {{1, 0}, {2, 0}, {0.5f, 1}, {1, -0.5f}};
        for (boolean transposeA : new boolean[] {false, true}) {
            for (boolean transposeB : new boolean[] {false, true}) {
                for (float[] ab : alphaBeta) {
                    Matrix a = random(transposeA ? depth : m, transposeA ? m : depth);
                    Matrix b = random(transposeB ? n : depth, transposeB ? depth : n);
                    Matrix c = random(m, n);
                    double[][] expected = new double[m][n];
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double sum = 0;
                            for (int k = 0; k < depth; k++) {
                                sum += (double) get(a, transposeA, i, k) * get(b, transposeB, k, j);
                            }
                            expected[i][j] = ab[0] * sum + ab[1] * kernels.get(c, i, j);
                        }
                    }
                    kernels.product(ab[0], a, transposeA, b, transposeB, ab[1], c);
                    String what = "op(a) " + (transposeA ? "transposed" : "as is") + ", op(b) " + (transposeB ? "transposed" : "as is")
                            + ", α = " + ab[0] + ", β = " + ab[1];
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) assertEquals(expected[i][j], kernels.get(c, i, j), 1e-4 * Math.sqrt(depth), what);
                    }
                }
            }
        }
    }

    @Test
    void aTransposedOperandFollowsEveryWrite() {
        Matrix x = random(64, 100);
        Matrix w = random(80, 100);
        Matrix z = kernels.zeros(64, 80);
        Matrix other = random(80, 100);
        float[] values = new float[80 * 100];
        kernels.read(other, values);
        AdamMath adam = new AdamMath(OptimizerSpec.adam(0.1));
        adam.beginStep();
        Runnable[] writes = {
            () -> kernels.set(w, 3, 4, 9f),
            () -> kernels.write(w, values, 0),
            () -> kernels.copy(random(80, 100), w),
            () -> kernels.adam(adam, w, random(80, 100), kernels.zeros(80, 100), kernels.zeros(80, 100)),
            () -> kernels.product(1f, random(80, 2), false, random(2, 100), false, 1f, w),      // a merge: W += B·A
            () -> kernels.biasActivation(random(80, 100), random(1, 100), null, 0f, true, null, w),
        };
        for (Runnable write : writes) {
            kernels.product(1f, x, false, w, true, 0f, z);                                       // keeps a Wᵀ
            write.run();
            kernels.product(1f, x, false, w, true, 0f, z);
            for (int j = 0; j < 80; j += 7) {
                double sum = 0;
                for (int k = 0; k < 100; k++) sum += (double) kernels.get(x, 5, k) * kernels.get(w, j, k);
                assertEquals(sum, kernels.get(z, 5, j), 1e-4);
            }
        }
    }

    /**
     * A weight gradient formed as its transpose (dW = dzᵀ·x taken as xᵀ·dz) and Adam's step on it, in that layout, give
     * bit for bit what the same step gives in rows, and the next forward product reads the updated weight.
     */
    @Test
    void aGradientFormedTransposedStepsTheWeightAsInRows() {
        Matrix dz = random(64, 80);
        Matrix x = random(64, 100);
        for (int i = 0; i < 64; i++) {
            for (int k = 0; k < 100; k += 3) kernels.set(x, i, k, 0f);                          // zeros, as pixels have
        }
        Matrix dzT = kernels.zeros(80, 64);
        for (int i = 0; i < 64; i++) {
            for (int j = 0; j < 80; j++) kernels.set(dzT, j, i, kernels.get(dz, i, j));
        }
        float[] start = new float[80 * 100];
        kernels.read(random(80, 100), start);
        float[][] after = new float[2][80 * 100];
        float[][] forward = new float[2][64 * 80];
        for (int layout = 0; layout < 2; layout++) {
            Matrix w = kernels.zeros(80, 100);
            kernels.write(w, start, 0);
            Matrix gradient = kernels.zeros(80, 100);
            if (layout == 0) {
                kernels.product(1f, dz, true, x, false, 0f, gradient);                            // formed transposed
            } else {
                kernels.product(1f, dzT, false, x, false, 0f, gradient);                          // formed in rows
            }
            AdamMath adam = new AdamMath(OptimizerSpec.adam(0.01));
            Matrix m = kernels.zeros(80, 100);
            Matrix v = kernels.zeros(80, 100);
            for (int step = 0; step < 2; step++) {
                adam.beginStep();
                kernels.adam(adam, w, gradient, m, v);
            }
            Matrix z = kernels.zeros(64, 80);
            kernels.product(1f, x, false, w, true, 0f, z);
            kernels.read(w, after[layout]);
            kernels.read(z, forward[layout]);
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(after[1], after[0]);
        org.junit.jupiter.api.Assertions.assertArrayEquals(forward[1], forward[0]);
    }

    /** A product taken transposed leaves its output's transpose current; a later write must still be seen. */
    @Test
    void theTransposeAProductLeavesIsDroppedOnTheNextWrite() {
        Matrix u = kernels.zeros(64, 16);
        kernels.product(1f, random(64, 300), false, random(16, 300), true, 0f, u);              // u = x·Aᵀ, taken as uᵀ
        kernels.set(u, 2, 3, 5f);
        Matrix y = random(64, 70);
        Matrix product = kernels.zeros(16, 70);
        kernels.product(1f, u, true, y, false, 0f, product);                                   // reads uᵀ
        double sum = 0;
        for (int i = 0; i < 64; i++) sum += (double) kernels.get(u, i, 3) * kernels.get(y, i, 0);
        assertEquals(sum, kernels.get(product, 3, 0), 1e-4);
    }

    @Test
    void refusesMismatchedShapesAndAliasing() {
        Matrix a = random(4, 5);
        assertThrows(IllegalArgumentException.class, () -> kernels.product(1f, a, false, random(4, 5), false, 0f, kernels.zeros(4, 5)));
        Matrix square = random(5, 5);
        assertThrows(IllegalArgumentException.class, () -> kernels.product(1f, square, false, random(5, 5), false, 0f, square));
    }

    private Matrix random(int rows, int columns) {
        Matrix m = kernels.zeros(rows, columns);
        float[] values = new float[rows * columns];
        for (int i = 0; i < values.length; i++) values[i] = random.nextDouble() < 0.3 ? 0f : (float) (2 * random.nextDouble() - 1);
        kernels.write(m, values, 0);
        return m;
    }

    private float get(Matrix m, boolean transposed, int row, int column) {
        return transposed ? kernels.get(m, column, row) : kernels.get(m, row, column);
    }
}
