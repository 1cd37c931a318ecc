package dev.toylora.engine.java;

import dev.toylora.model.kernel.AdamMath;
import dev.toylora.model.kernel.DropoutDraws;
import dev.toylora.model.kernel.Kernels;
import dev.toylora.model.kernel.Matrix;
import org.jspecify.annotations.Nullable;

/** The kernels as plain loops over a row-major {@code float[]}: element (i, j) of a matrix is {@code data[i·columns + j]}. */
final class JavaKernels implements Kernels {

    /** A matrix as one row-major array. */
    record Array(int rows, int columns, float[] data) implements Matrix {}

    private static float[] data(Matrix m) {
        return ((Array) m).data();
    }

    @Override
    public Matrix zeros(int rows, int columns) {
        return new Array(rows, columns, new float[rows * columns]);
    }

    @Override
    public void write(Matrix m, float[] source, int offset) {
        System.arraycopy(source, offset, data(m), 0, data(m).length);
    }

    @Override
    public void read(Matrix m, float[] target) {
        System.arraycopy(data(m), 0, target, 0, data(m).length);
    }

    @Override
    public float get(Matrix m, int row, int column) {
        return data(m)[row * m.columns() + column];
    }

    @Override
    public void set(Matrix m, int row, int column, float value) {
        data(m)[row * m.columns() + column] = value;
    }

    @Override
    public void copy(Matrix from, Matrix to) {
        System.arraycopy(data(from), 0, data(to), 0, data(from).length);
    }

    /**
     * c = α·op(a)·op(b) + β·c. Transposed operands are copied the right way round first, so that the product is one
     * loop: row i of c gets a[i][k]·(row k of b) added for k in order — a loop over whole rows, which the JIT vectorises.
     */
    @Override
    public void product(float alpha, Matrix a, boolean transposeA, Matrix b, boolean transposeB, float beta, Matrix c) {
        Array left = transposeA ? transpose(a) : (Array) a;
        Array right = transposeB ? transpose(b) : (Array) b;
        int m = c.rows();
        int n = c.columns();
        int depth = left.columns();
        if (left.rows() != m || right.rows() != depth || right.columns() != n) {
            throw new IllegalArgumentException("product of " + left.rows() + "×" + depth + " and " + right.rows() + "×" + right.columns()
                    + " into " + m + "×" + n);
        }
        float[] x = left.data();
        float[] y = right.data();
        float[] z = data(c);
        float[] row = new float[n];
        for (int i = 0; i < m; i++) {
            java.util.Arrays.fill(row, 0f);
            for (int k = 0; k < depth; k++) {
                float factor = x[i * depth + k];
                for (int j = 0; j < n; j++) row[j] += factor * y[k * n + j];
            }
            for (int j = 0; j < n; j++) z[i * n + j] = beta == 0 ? alpha * row[j] : alpha * row[j] + beta * z[i * n + j];
        }
    }

    private static Array transpose(Matrix m) {
        float[] source = data(m);
        float[] target = new float[source.length];
        for (int i = 0; i < m.rows(); i++) {
            for (int j = 0; j < m.columns(); j++) target[j * m.rows() + i] = source[i * m.columns() + j];
        }
        return new Array(m.columns(), m.rows(), target);
    }

    @Override
    public void biasActivation(Matrix z, Matrix bias, @Nullable Matrix v, float s, boolean relu, @Nullable DropoutDraws dropout, Matrix out) {
        float[] zs = data(z);
        float[] b = data(bias);
        float[] vs = v != null ? data(v) : null;
        float[] y = data(out);
        int columns = z.columns();
        for (int i = 0; i < z.rows(); i++) {
            for (int j = 0; j < columns; j++) {
                int k = i * columns + j;
                float value = zs[k] + b[j];
                if (vs != null) value += s * vs[k];
                if (relu) value = Math.max(value, 0f);
                if (dropout != null) value *= dropout.factor(i, j);
                y[k] = value;
            }
        }
    }

    @Override
    public void dropout(Matrix x, DropoutDraws draws, Matrix mask, Matrix out) {
        float[] xs = data(x);
        float[] masks = data(mask);
        float[] y = data(out);
        int columns = x.columns();
        for (int i = 0; i < x.rows(); i++) {
            for (int j = 0; j < columns; j++) {
                int k = i * columns + j;
                masks[k] = draws.factor(i, j);
                y[k] = xs[k] * masks[k];
            }
        }
    }

    @Override
    public void reluDropoutBackward(Matrix dy, Matrix y, float keep, Matrix dz) {
        float[] dys = data(dy);
        float[] ys = data(y);
        float[] dzs = data(dz);
        for (int k = 0; k < dzs.length; k++) dzs[k] = ys[k] > 0 ? dys[k] * keep : 0f;
    }

    @Override
    public void addMasked(Matrix target, Matrix add, Matrix mask) {
        float[] t = data(target);
        float[] a = data(add);
        float[] m = data(mask);
        for (int k = 0; k < t.length; k++) t[k] += a[k] * m[k];
    }

    @Override
    public void columnSums(Matrix m, Matrix sums) {
        float[] values = data(m);
        float[] total = data(sums);
        java.util.Arrays.fill(total, 0f);
        int columns = m.columns();
        for (int i = 0; i < m.rows(); i++) {
            for (int j = 0; j < columns; j++) total[j] += values[i * columns + j];
        }
    }

    @Override
    public void adam(AdamMath adam, Matrix p, Matrix g, Matrix m, Matrix v) {
        adam.update(data(p), data(g), data(m), data(v), 0, data(p).length);
    }
}
