package dev.toylora.engine.ojalgo;

import dev.toylora.model.kernel.AdamMath;
import dev.toylora.model.kernel.DropoutDraws;
import dev.toylora.model.kernel.Kernels;
import dev.toylora.model.kernel.Matrix;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The kernels on {@link RowMatrix} row arrays, products by ojAlgo's row kernel ({@link Products}).
 *
 * <p>That kernel adds whole rows of the right operand, so a product is fast when those rows are long; each product is
 * taken in whichever of {@code C = op(A)·op(B)} and {@code Cᵀ = op(B)ᵀ·op(A)ᵀ} has the longer rows, from the operands'
 * kept transposes ({@link RowMatrix#transposed()}). So z = x·Wᵀ reads a Wᵀ made once while W is frozen, and the LoRA
 * products with only r columns (u, du) are taken transposed and turned back. A weight's gradient dW = dzᵀ·x is formed as
 * xᵀ·dz into W's transposed layout, Adam steps W there, and the next z = x·Wᵀ reads it as it is: a trained W is turned
 * back into rows only for dx = dz·W (not needed under the first layer, the largest).
 *
 * <p>Holds no state: what a product needs besides its operands lives in the matrices. One instance serves any number of
 * networks on any threads, as long as each network (and so each matrix) is used by one thread at a time.
 */
final class OjAlgoKernels implements Kernels {
    /** Product rows this long run the row kernel near its best; a shorter product is taken transposed if that is longer. */
    private static final int LONG_ROWS = 64;
    /** What an element costs, in the product kernel's multiply-adds, where it decides whether to share work out. */
    private static final int DRAW_WORK = 16;
    private static final int ADAM_WORK = 8;

    private static RowMatrix of(Matrix m) {
        return (RowMatrix) m;
    }

    @Override
    public Matrix zeros(int rows, int columns) {
        return new RowMatrix(rows, columns);
    }

    @Override
    public void write(Matrix m, float[] source, int offset) {
        RowMatrix target = of(m);
        int columns = target.columns();
        float[][] rows = target.values();
        for (int i = 0; i < rows.length; i++) System.arraycopy(source, offset + i * columns, rows[i], 0, columns);
        target.changed();
    }

    @Override
    public void read(Matrix m, float[] target) {
        RowMatrix source = of(m);
        int columns = source.columns();
        float[][] rows = source.values();
        for (int i = 0; i < rows.length; i++) System.arraycopy(rows[i], 0, target, i * columns, columns);
    }

    @Override
    public float get(Matrix m, int row, int column) {
        return of(m).values()[row][column];
    }

    @Override
    public void set(Matrix m, int row, int column, float value) {
        of(m).values()[row][column] = value;
        of(m).changed();
    }

    @Override
    public void copy(Matrix from, Matrix to) {
        checkSameShape(from, to);
        float[][] source = of(from).values();
        float[][] target = of(to).values();
        for (int i = 0; i < source.length; i++) System.arraycopy(source[i], 0, target[i], 0, source[i].length);
        of(to).changed();
    }

    @Override
    public void product(float alpha, Matrix a, boolean transposeA, Matrix b, boolean transposeB, float beta, Matrix c) {
        RowMatrix left = of(a);
        RowMatrix right = of(b);
        RowMatrix product = of(c);
        int m = c.rows();
        int n = c.columns();
        int depth = transposeA ? a.rows() : a.columns();
        if ((transposeA ? a.columns() : a.rows()) != m || (transposeB ? b.columns() : b.rows()) != depth
                || (transposeB ? b.rows() : b.columns()) != n) {
            throw new IllegalArgumentException("product of " + shape(a, transposeA) + " and " + shape(b, transposeB) + " into " + m + "×" + n);
        }
        if (c == a || c == b) throw new IllegalArgumentException("the product must not be one of its operands");
        if (transposeA && !transposeB && m >= LONG_ROWS && alpha == 1f && beta == 0f) {
            // A gradient's shape, c = aᵀ·b (dW = dzᵀ·x): formed as cᵀ = bᵀ·a into c's transposed copy and left there,
            // where Adam updates the weight and the forward pass reads it (x·Wᵀ) without a transpose either way. The terms
            // skipped are b's zeros (x's: most pixels) instead of a's.
            Products.multiply(1f, right.transposed(), left.values(), 0f, product.writeTransposed());
        } else if (n >= LONG_ROWS || n >= m) {
            Products.multiply(alpha, transposeA ? left.transposed() : left.values(), transposeB ? right.transposed() : right.values(), beta, product.values());
            product.changed();
        } else {
            // cᵀ = op(b)ᵀ·op(a)ᵀ into c's transposed copy, whose rows are m long, then turned back into c.
            Products.multiply(1f, transposeB ? right.values() : right.transposed(), transposeA ? left.values() : left.transposed(), 0f,
                    product.transposeBuffer());
            product.transposeBack(alpha, beta);
        }
    }

    @Override
    public void biasActivation(Matrix z, Matrix bias, @Nullable Matrix v, float s, boolean relu, @Nullable DropoutDraws dropout, Matrix out) {
        float[][] zs = of(z).values();
        float[] b = of(bias).values()[0];
        float[][] vs = v != null ? of(v).values() : null;
        float[][] ys = of(out).values();
        // A dropout draw is a hash of its position (64-bit multiplies, a few cycles even in vectors): worth sharing out.
        long work = (long) zs.length * b.length * (dropout != null ? DRAW_WORK : 1);
        Products.forRows(zs.length, work, (first, limit) -> {
            float[] factors = new float[dropout != null ? b.length : 0];
            for (int i = first; i < limit; i++) {
                float[] zRow = zs[i];
                float[] vRow = vs != null ? vs[i] : null;
                float[] y = ys[i];
                for (int j = 0; j < zRow.length; j++) {
                    float value = zRow[j] + b[j];
                    if (vRow != null) value += s * vRow[j];
                    y[j] = relu ? Math.max(value, 0f) : value;
                }
                if (dropout != null) {
                    dropout.factors(i, 0, y.length, factors, 0);
                    for (int j = 0; j < y.length; j++) y[j] *= factors[j];
                }
            }
        });
        of(out).changed();
    }

    @Override
    public void dropout(Matrix x, DropoutDraws draws, Matrix mask, Matrix out) {
        float[][] xs = of(x).values();
        float[][] masks = of(mask).values();
        float[][] ys = of(out).values();
        for (int i = 0; i < xs.length; i++) {
            float[] xRow = xs[i];
            float[] maskRow = masks[i];
            float[] y = ys[i];
            draws.factors(i, 0, xRow.length, maskRow, 0);
            for (int j = 0; j < xRow.length; j++) y[j] = xRow[j] * maskRow[j];
        }
        of(mask).changed();
        of(out).changed();
    }

    @Override
    public void reluDropoutBackward(Matrix dy, Matrix y, float keep, Matrix dz) {
        float[][] dys = of(dy).values();
        float[][] ys = of(y).values();
        float[][] dzs = of(dz).values();
        for (int i = 0; i < dzs.length; i++) {
            float[] d = dys[i];
            float[] h = ys[i];
            float[] out = dzs[i];
            for (int j = 0; j < out.length; j++) out[j] = d[j] * (keep * isPositive(h[j])) + 0f;
        }
        of(dz).changed();
    }

    @Override
    public void addMasked(Matrix target, Matrix add, Matrix mask) {
        float[][] ts = of(target).values();
        float[][] as = of(add).values();
        float[][] ms = of(mask).values();
        for (int i = 0; i < ts.length; i++) {
            float[] t = ts[i];
            float[] a = as[i];
            float[] m = ms[i];
            for (int j = 0; j < t.length; j++) t[j] += a[j] * m[j];
        }
        of(target).changed();
    }

    @Override
    public void columnSums(Matrix m, Matrix sums) {
        float[] total = of(sums).values()[0];
        Arrays.fill(total, 0f);
        for (float[] row : of(m).values()) {
            for (int j = 0; j < total.length; j++) total[j] += row[j];
        }
        of(sums).changed();
    }

    @Override
    public void adam(AdamMath adam, Matrix p, Matrix g, Matrix m, Matrix v) {
        // In the layout the gradient was formed in (element-wise, so either gives the same values); the moments keep the
        // layout of their first step.
        boolean transposed = of(g).livesTransposed();
        float[][] gs = transposed ? of(g).transposed() : of(g).values();
        float[][] ps = transposed ? of(p).updateTransposed() : of(p).values();
        float[][] ms = transposed ? of(m).updateTransposed() : of(m).values();
        float[][] vs = transposed ? of(v).updateTransposed() : of(v).values();
        Products.forRows(ps.length, p.size() * ADAM_WORK, (first, limit) -> {
            for (int i = first; i < limit; i++) adam.update(ps[i], gs[i], ms[i], vs[i], 0, ps[i].length);
        });
        if (!transposed) {
            of(p).changed();
            of(m).changed();
            of(v).changed();
        }
    }

    /**
     * 1 for y > 0, 0 for y = 0 (a ReLU's output is never below): the smallest positive float times 2¹⁴⁹ is 1. Min and
     * max vectorise where a branch on random signs would not; the {@code + 0f} above turns dy·0 = −0 into the
     * reference's 0.
     */
    private static float isPositive(float y) {
        return Math.min(Math.max(y * 0x1p126f * 0x1p23f, 0f), 1f);
    }

    private static void checkSameShape(Matrix a, Matrix b) {
        if (a.rows() != b.rows() || a.columns() != b.columns()) {
            throw new IllegalArgumentException("shapes differ: " + a.rows() + "×" + a.columns() + " and " + b.rows() + "×" + b.columns());
        }
    }

    private static String shape(Matrix m, boolean transposed) {
        return transposed ? m.columns() + "×" + m.rows() + " (transposed)" : m.rows() + "×" + m.columns();
    }
}
