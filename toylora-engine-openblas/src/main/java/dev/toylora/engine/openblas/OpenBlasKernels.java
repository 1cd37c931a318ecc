package dev.toylora.engine.openblas;

import dev.toylora.model.kernel.AdamMath;
import dev.toylora.model.kernel.DropoutDraws;
import dev.toylora.model.kernel.Kernels;
import dev.toylora.model.kernel.Matrix;
import org.jspecify.annotations.Nullable;

/**
 * The kernels on OpenBLAS: products by {@code cblas_sgemm} with its transposes, on {@link NativeMatrix} operands;
 * element-wise passes in Java, a row (or a chunk) at a time copied into heap arrays, where the JIT vectorises the loop
 * (it does not over a buffer).
 *
 * <p>Each kernel splits its work in two halves, the calling thread running one and {@link Parallel}'s helper the other:
 * a product by halves of C's rows or columns, whichever halves the larger operand (each thread then packs only its half
 * of it); the epilogues by halves of the rows, column sums by halves of the columns, Adam by halves of the values. The
 * split depends only on the shapes — small work is not split, a hand-off would cost more than it saves — and each
 * value is computed the same way in either half, so the results do not depend on the number of threads.
 */
final class OpenBlasKernels implements Kernels {
    /** Products of fewer multiply-adds than this run whole on the calling thread. */
    private static final long SPLIT_PRODUCT = 1 << 16;
    /** Element-wise passes over fewer values than this run whole on the calling thread. */
    private static final int SPLIT_VALUES = 1 << 13;
    /** How many values a flat element-wise pass copies to the heap at a time. */
    private static final int CHUNK = 2048;

    /** Each thread's heap arrays for the element-wise loops (the kernels are shared by every network of the engine). */
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        float[] a = new float[CHUNK];
        float[] b = new float[CHUNK];
        float[] c = new float[CHUNK];

        /** Makes the arrays at least {@code n} long. */
        Scratch fit(int n) {
            if (a.length < n) {
                a = new float[n];
                b = new float[n];
                c = new float[n];
            }
            return this;
        }
    }

    @Override
    public Matrix zeros(int rows, int columns) {
        return new NativeMatrix(rows, columns);
    }

    @Override
    public void write(Matrix m, float[] source, int offset) {
        NativeMatrix target = cast(m);
        target.write(0, source, offset, target.length());
    }

    @Override
    public void read(Matrix m, float[] target) {
        NativeMatrix source = cast(m);
        source.read(0, target, 0, source.length());
    }

    @Override
    public float get(Matrix m, int row, int column) {
        return cast(m).get(index(m, row, column));
    }

    @Override
    public void set(Matrix m, int row, int column, float value) {
        cast(m).set(index(m, row, column), value);
    }

    @Override
    public void copy(Matrix from, Matrix to) {
        sameShape(from, to);
        cast(to).copyFrom(cast(from));
    }

    @Override
    public void product(float alpha, Matrix a, boolean transposeA, Matrix b, boolean transposeB, float beta, Matrix c) {
        NativeMatrix x = cast(a);
        NativeMatrix y = cast(b);
        NativeMatrix z = cast(c);
        int m = transposeA ? x.columns() : x.rows();
        int k = transposeA ? x.rows() : x.columns();
        int n = transposeB ? y.rows() : y.columns();
        if ((transposeB ? y.columns() : y.rows()) != k || z.rows() != m || z.columns() != n) {
            throw new IllegalArgumentException("product of " + m + "×" + k + " and " + (transposeB ? y.columns() : y.rows()) + "×" + n
                    + " into " + z.rows() + "×" + z.columns());
        }
        if (z == x || z == y) throw new IllegalArgumentException("a product's output must not be one of its operands");
        z.changed();
        if (m == 0 || n == 0) return;
        if (k == 0) {
            scale(z, beta);
            return;
        }
        // Row lengths as stored; the operands' native memory is made here, on the calling thread, before any split.
        int lda = x.columns();
        int ldb = y.columns();
        int ldc = n;
        x.pointer();
        y.pointer();
        z.pointer();
        boolean byRows = m >= n;
        int split = byRows ? m : n;
        if ((long) m * n * k < SPLIT_PRODUCT || split < 2) {
            NativeBlas.sgemm(transposeA, transposeB, m, n, k, alpha, x.pointer(), lda, y.pointer(), ldb, beta, z.pointer(), ldc);
            return;
        }
        // The upper half's operands start inside the matrices: C's rows start at a row of op(A), C's columns at a column of op(B).
        int middle = Parallel.end(split, 0);
        long aOffset = byRows ? (transposeA ? middle : (long) middle * lda) : 0;
        long bOffset = byRows ? 0 : (transposeB ? (long) middle * ldb : middle);
        long cOffset = byRows ? (long) middle * ldc : middle;
        var upperA = x.pointerAt(aOffset);
        var upperB = y.pointerAt(bOffset);
        var upperC = z.pointerAt(cOffset);
        Parallel.halves(half -> {
            int size = half == 0 ? middle : split - middle;
            NativeBlas.sgemm(transposeA, transposeB, byRows ? size : m, byRows ? n : size, k, alpha,
                    half == 0 ? x.pointer() : upperA, lda, half == 0 ? y.pointer() : upperB, ldb, beta, half == 0 ? z.pointer() : upperC, ldc);
        });
    }

    /** c ← β·c, for a product with no terms. */
    private static void scale(NativeMatrix c, float beta) {
        float[] values = c.toArray();
        for (int i = 0; i < values.length; i++) values[i] = beta == 0 ? 0f : beta * values[i];
        c.write(0, values, 0, values.length);
    }

    @Override
    public void biasActivation(Matrix z, Matrix bias, @Nullable Matrix v, float s, boolean relu, @Nullable DropoutDraws dropout, Matrix out) {
        int columns = z.columns();
        if (bias.rows() != 1 || bias.columns() != columns) throw new IllegalArgumentException("bias " + bias + " for " + z);
        sameShape(z, out);
        if (v != null) sameShape(z, v);
        if (dropout != null) sameShape(z, dropout.rows(), dropout.columns());
        NativeMatrix input = inNative(z);
        NativeMatrix biases = inNative(bias);
        NativeMatrix branch = v != null ? inNative(v) : null;
        NativeMatrix output = written(out);
        blocks(z.rows(), columns, (i0, i1, j0, j1) -> {
            int n = j1 - j0;
            Scratch heap = scratch.get().fit(n);
            float[] a = heap.a;
            float[] b = heap.b;
            float[] c = heap.c;
            biases.read(j0, b, 0, n);
            for (int i = i0; i < i1; i++) {
                int at = i * columns + j0;
                input.read(at, a, 0, n);
                if (branch != null) {
                    branch.read(at, c, 0, n);
                    for (int j = 0; j < n; j++) a[j] = (a[j] + b[j]) + s * c[j];
                } else {
                    for (int j = 0; j < n; j++) a[j] += b[j];
                }
                if (relu) {
                    for (int j = 0; j < n; j++) a[j] = Math.max(a[j], 0f);
                }
                // The draws are addressable: each is evaluated where it is applied, never stored.
                if (dropout != null) {
                    for (int j = 0; j < n; j++) a[j] *= dropout.factor(i, j0 + j);
                }
                output.write(at, a, 0, n);
            }
        });
    }

    @Override
    public void dropout(Matrix x, DropoutDraws draws, Matrix mask, Matrix out) {
        int columns = x.columns();
        sameShape(x, mask);
        sameShape(x, out);
        sameShape(x, draws.rows(), draws.columns());
        NativeMatrix input = inNative(x);
        NativeMatrix masks = written(mask);
        NativeMatrix output = written(out);
        blocks(x.rows(), columns, (i0, i1, j0, j1) -> {
            int n = j1 - j0;
            Scratch heap = scratch.get().fit(n);
            float[] a = heap.a;
            float[] b = heap.b;
            for (int i = i0; i < i1; i++) {
                int at = i * columns + j0;
                input.read(at, a, 0, n);
                for (int j = 0; j < n; j++) b[j] = draws.factor(i, j0 + j);
                for (int j = 0; j < n; j++) a[j] *= b[j];
                masks.write(at, b, 0, n);
                output.write(at, a, 0, n);
            }
        });
    }

    @Override
    public void reluDropoutBackward(Matrix dy, Matrix y, float keep, Matrix dz) {
        sameShape(dy, y);
        sameShape(dy, dz);
        NativeMatrix gradient = inNative(dy);
        NativeMatrix activation = inNative(y);
        NativeMatrix output = written(dz);
        segments(dy.rows(), dy.columns(), CHUNK, (start, n) -> {
            Scratch heap = scratch.get().fit(n);
            float[] a = heap.a;
            float[] b = heap.b;
            gradient.read(start, a, 0, n);
            activation.read(start, b, 0, n);
            for (int k = 0; k < n; k++) a[k] = a[k] * keep * positive(b[k]);
            output.write(start, a, 0, n);
        });
    }

    /** 1 for y > 0, else 0, without a branch (activations are positive at random, a branch would mispredict). */
    private static float positive(float y) {
        int bits = Float.floatToRawIntBits(y);
        // Positive floats (and positive NaNs) have positive bits; +0 has 0, negatives (−0 too) the sign bit.
        return (((bits - 1) | bits) >>> 31) ^ 1;
    }

    @Override
    public void addMasked(Matrix target, Matrix add, Matrix mask) {
        sameShape(target, add);
        sameShape(target, mask);
        NativeMatrix output = written(target);
        NativeMatrix addend = inNative(add);
        NativeMatrix masks = inNative(mask);
        segments(target.rows(), target.columns(), CHUNK, (start, n) -> {
            Scratch heap = scratch.get().fit(n);
            float[] a = heap.a;
            float[] b = heap.b;
            float[] c = heap.c;
            output.read(start, a, 0, n);
            addend.read(start, b, 0, n);
            masks.read(start, c, 0, n);
            for (int k = 0; k < n; k++) a[k] += b[k] * c[k];
            output.write(start, a, 0, n);
        });
    }

    @Override
    public void columnSums(Matrix m, Matrix sums) {
        int rows = m.rows();
        int columns = m.columns();
        if (sums.rows() != 1 || sums.columns() != columns) throw new IllegalArgumentException("sums " + sums + " of the columns of " + m);
        NativeMatrix input = inNative(m);
        NativeMatrix output = written(sums);
        // By halves of the columns: each sum is still taken in row order, whoever takes it.
        Block sum = (i0, i1, j0, j1) -> {
            int n = j1 - j0;
            Scratch heap = scratch.get().fit(n);
            float[] total = heap.a;
            float[] row = heap.b;
            java.util.Arrays.fill(total, 0, n, 0f);
            for (int i = 0; i < rows; i++) {
                input.read(i * columns + j0, row, 0, n);
                for (int j = 0; j < n; j++) total[j] += row[j];
            }
            output.write(j0, total, 0, n);
        };
        if ((long) rows * columns < SPLIT_VALUES || columns < 2) {
            sum.run(0, rows, 0, columns);
        } else {
            Parallel.halves(half -> sum.run(0, rows, Parallel.start(columns, half), Parallel.end(columns, half)));
        }
    }

    /**
     * Adam, in the halves the gradient's product took (so each thread finds its half of the gradient in its own cache).
     * The update loop runs on heap arrays that share one indexing (the JIT vectorises a loop over five arrays at the same
     * index; with the moments indexed apart from a chunk it would not): the moments live on the heap only
     * ({@link NativeMatrix#heap}: nothing else touches them), the gradient is copied into its heap shadow, and the
     * parameter's heap shadow is read again only when something other than Adam wrote the parameter (loaded weights, an
     * unmerge, a test's nudge); the updated values are written back to native memory for the products.
     */
    @Override
    public void adam(AdamMath adam, Matrix p, Matrix g, Matrix m, Matrix v) {
        sameShape(p, g);
        sameShape(p, m);
        sameShape(p, v);
        NativeMatrix parameter = inNative(p);
        NativeMatrix gradient = inNative(g);
        float[] first = cast(m).heap();
        float[] second = cast(v).heap();
        float[] values = parameter.shadow();
        float[] gradients = gradient.shadow();
        boolean stale = parameter.shadowIsStale();
        segments(p.rows(), p.columns(), Integer.MAX_VALUE, (start, n) -> {
            gradient.read(start, gradients, start, n);
            if (stale) parameter.read(start, values, start, n);
            adam.update(values, gradients, first, second, start, start + n);
            parameter.writeOwn(start, values, start, n);
        });
        parameter.shadowRead();
    }

    /** Work on rows [i0, i1) × columns [j0, j1) of a matrix. */
    @FunctionalInterface
    private interface Block {
        void run(int i0, int i1, int j0, int j1);
    }

    /** Work on the {@code n} values from {@code start} on of a row-major matrix. */
    @FunctionalInterface
    private interface Segment {
        void run(int start, int n);
    }

    /**
     * Runs {@code work} over a {@code rows × columns} matrix in the halves a product into it takes (by rows when
     * rows ≥ columns, else by columns; see {@link #product}): an epilogue then finds each half of the product's output
     * in the cache of the thread that wrote it. Small matrices run whole on the calling thread.
     */
    private static void blocks(int rows, int columns, Block work) {
        boolean byRows = rows >= columns;
        int split = byRows ? rows : columns;
        if ((long) rows * columns < SPLIT_VALUES || split < 2) {
            work.run(0, rows, 0, columns);
            return;
        }
        Parallel.halves(half -> {
            int from = Parallel.start(split, half);
            int to = Parallel.end(split, half);
            if (byRows) {
                work.run(from, to, 0, columns);
            } else {
                work.run(0, rows, from, to);
            }
        });
    }

    /** As {@link #blocks}, for element-wise work: runs of whole rows in pieces of at most {@code most} values, else a row's part at a time. */
    private static void segments(int rows, int columns, int most, Segment work) {
        blocks(rows, columns, (i0, i1, j0, j1) -> {
            if (j0 == 0 && j1 == columns) {
                for (int start = i0 * columns, end = i1 * columns, n; start < end; start += n) {
                    n = Math.min(most, end - start);
                    work.run(start, n);
                }
            } else {
                for (int i = i0; i < i1; i++) work.run(i * columns + j0, j1 - j0);
            }
        });
    }

    private static NativeMatrix cast(Matrix m) {
        if (m instanceof NativeMatrix matrix) return matrix;
        throw new IllegalArgumentException("not a matrix of the openblas engine: " + m.getClass().getName());
    }

    /** An operand in native memory, made there on the calling thread (before a split). */
    private static NativeMatrix inNative(Matrix m) {
        NativeMatrix matrix = cast(m);
        matrix.pointer();
        return matrix;
    }

    /** An output in native memory, noted as changed (Adam's copy of it is stale). */
    private static NativeMatrix written(Matrix m) {
        NativeMatrix matrix = inNative(m);
        matrix.changed();
        return matrix;
    }

    private static int index(Matrix m, int row, int column) {
        if (row < 0 || row >= m.rows() || column < 0 || column >= m.columns()) {
            throw new IndexOutOfBoundsException("(" + row + ", " + column + ") of a " + m.rows() + " × " + m.columns() + " matrix");
        }
        return row * m.columns() + column;
    }

    private static void sameShape(Matrix a, Matrix b) {
        sameShape(a, b.rows(), b.columns());
    }

    private static void sameShape(Matrix a, int rows, int columns) {
        if (a.rows() != rows || a.columns() != columns) {
            throw new IllegalArgumentException("shapes differ: " + a.rows() + " × " + a.columns() + " and " + rows + " × " + columns);
        }
    }
}
