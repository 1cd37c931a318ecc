package dev.toylora.engine.ojalgo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The products add their terms four at a time; that must round exactly as one term after another does (c = 0, 1, …, zero
 * factors skipped), bit for bit, since committed results depend on it.
 */
class ProductsTest {
    @Test
    void fourTermsAtATimeRoundExactlyAsOneTermAfterAnother() {
        SplittableRandom random = new SplittableRandom(7);
        for (int[] shape : new int[][] {{1, 1, 1}, {3, 5, 7}, {64, 784, 33}, {17, 9, 512}, {64, 130, 10}}) {
            int m = shape[0], k = shape[1], n = shape[2];
            float[][] left = new float[m][k];
            float[][] right = new float[k][n];
            for (float[] row : left) {
                for (int c = 0; c < k; c++) row[c] = random.nextInt(3) == 0 ? 0f : (float) random.nextGaussian(); // ReLU-like zeros
            }
            left[0][0] = -0f;
            for (float[] row : right) for (int j = 0; j < n; j++) row[j] = (float) random.nextGaussian();
            for (float alpha : new float[] {1f, 0.5f}) {
                float[][] product = new float[m][n];
                Products.multiply(alpha, left, right, 0f, product);
                for (int i = 0; i < m; i++) {
                    float[] expected = new float[n];
                    for (int c = 0; c < k; c++) {
                        float factor = left[i][c];
                        if (factor != 0f) for (int j = 0; j < n; j++) expected[j] = expected[j] + factor * right[c][j];
                    }
                    for (int j = 0; j < n; j++) {
                        if (alpha != 1f) expected[j] *= alpha;
                        assertEquals(Float.floatToRawIntBits(expected[j]), Float.floatToRawIntBits(product[i][j]),
                                m + "×" + k + "×" + n + ", α " + alpha + ": element [" + i + "][" + j + "] " + product[i][j] + ", expected " + expected[j]);
                    }
                }
            }
        }
    }
}
