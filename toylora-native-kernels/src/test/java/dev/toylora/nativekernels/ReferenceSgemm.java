package dev.toylora.nativekernels;

import dev.toylora.model.ModelBackend;
import dev.toylora.model.kernel.Kernels;
import org.bytedeco.javacpp.FloatPointer;

/** sgemm as three loops in Java, on heap copies of the operands: what the shared kernels' tests multiply with, no library needed. */
final class ReferenceSgemm implements Sgemm {
    @Override
    public void multiply(boolean transposeA, boolean transposeB, int m, int n, int k, float alpha, FloatPointer a, int lda,
                         FloatPointer b, int ldb, float beta, FloatPointer c, int ldc) {
        float[] x = read(a, transposeA ? k : m, transposeA ? m : k, lda);
        float[] y = read(b, transposeB ? n : k, transposeB ? k : n, ldb);
        float[] z = read(c, m, n, ldc);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += (transposeA ? x[p * lda + i] : x[i * lda + p]) * (transposeB ? y[j * ldb + p] : y[p * ldb + j]);
                }
                z[i * ldc + j] = alpha * sum + (beta == 0f ? 0f : beta * z[i * ldc + j]);
            }
        }
        // Row by row: between C's rows lie columns another thread may be writing (a product split by columns).
        // A pointer of our own: c's position is where its view starts, and another thread may hold it.
        FloatPointer row = new FloatPointer(c);
        for (int i = 0; i < m; i++) row.position(c.position() + (long) i * ldc).put(z, i * ldc, n);
    }

    /** The stored rows × columns of a matrix of row length ld: up to its last value, not a whole last row past it. */
    private static float[] read(FloatPointer p, int rows, int columns, int ld) {
        float[] values = new float[rows == 0 ? 0 : (rows - 1) * ld + columns];
        p.get(values, 0, values.length);
        return values;
    }

    /** An engine on the shared kernels with these products, for tests that train whole networks. */
    static final class Backend extends ModelBackend {
        @Override
        public String name() {
            return "native-kernels-reference";
        }

        @Override
        public String version() {
            return "test";
        }

        @Override
        protected Kernels kernels() {
            return new NativeKernels(new ReferenceSgemm());
        }
    }
}
