package dev.toylora.nativekernels;

import static dev.toylora.nativekernels.Parallel.end;
import static dev.toylora.nativekernels.Parallel.reads;
import static dev.toylora.nativekernels.Parallel.readsHalf;
import static dev.toylora.nativekernels.Parallel.start;
import static dev.toylora.nativekernels.Parallel.writes;
import static dev.toylora.nativekernels.Parallel.writesHalf;

import dev.toylora.model.kernel.AdamMath;
import dev.toylora.model.kernel.DropoutDraws;
import dev.toylora.model.kernel.Kernels;
import dev.toylora.model.kernel.Matrix;
import java.util.function.IntConsumer;
import org.bytedeco.javacpp.FloatPointer;
import org.jspecify.annotations.Nullable;

/**
 * The kernels on native memory: products by an engine's {@link Sgemm} (OpenBLAS's, oneDNN's) with its transposes, on
 * {@link NativeMatrix} operands; element-wise passes in Java, a row (or a chunk) at a time copied into heap arrays, where the JIT vectorises the loop
 * (it does not over a buffer).
 *
 * <p><b>Halves.</b> Every kernel's work comes in two fixed halves: a product by halves of C's rows when it has at least
 * as many rows as columns, else of its columns (so each thread packs only its half of the larger operand); an
 * element-wise pass over a matrix in those same halves of the matrix; column sums by halves of the columns; Adam by halves
 * of the values. A half is computed the same way whichever thread runs it, and whether work runs in halves or whole
 * (which changes a product's last bits) depends only on the calls made, so the results do not depend on the threads.
 *
 * <p><b>Batches.</b> A kernel does not run when called: it joins the network's {@link Parallel.Batch}, saying which
 * matrices it reads and writes, and which only within its own half. The batch runs when a kernel depends on it, or when
 * the model reads or writes values (read, write, get, set, copy, release): then every queued kernel's first half runs on
 * the calling thread and its second on the helper. So one hand-off serves several kernels — a layer's independent
 * gradient products, an epilogue with the product it finishes (each half still in the cache of the thread that wrote
 * it), every Adam update of a step — and small kernels split at no cost; a batch too small to repay a hand-off runs
 * whole on the calling thread. No value is seen but through a call that runs the batch first. An instance therefore
 * belongs to one network (which is not thread-safe either): an engine makes one per network.
 */
public final class NativeKernels implements Kernels {
    /** A batch of less work than this (in multiply-adds or their equivalent, see the {@code *_COST}s) runs on the calling thread. */
    private static final long SPLIT_WORK = 1 << 18;
    /** The cost of an element-wise pass, of drawing dropout, of Adam and of a column sum per value, in multiply-adds of a product. */
    private static final int ELEMENT_COST = 16;
    private static final int DRAW_COST = 128;
    private static final int ADAM_COST = 24;
    private static final int SUM_COST = 4;
    /** How many values an element-wise pass over whole rows copies to the heap at a time. */
    private static final int CHUNK = 2048;

    /** Each thread's heap arrays for the element-wise loops. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final Parallel.Batch batch = new Parallel.Batch(SPLIT_WORK);
    private final Sgemm sgemm;

    /** Kernels whose products run on {@code sgemm}, one thread per call (the kernels split the work themselves). */
    public NativeKernels(Sgemm sgemm) {
        this.sgemm = sgemm;
    }

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

    /** How many threads the kernels split their work over: 2, or 1 with one processor or {@code -Dtoylora.native.workers=1}. */
    public static int workers() {
        return Parallel.workers();
    }

    @Override
    public Matrix zeros(int rows, int columns) {
        return new NativeMatrix(rows, columns);
    }

    @Override
    public void write(Matrix m, float[] source, int offset) {
        batch.run();
        NativeMatrix target = inNative(m);
        target.write(0, source, offset, target.length());
    }

    @Override
    public void read(Matrix m, float[] target) {
        batch.run();
        NativeMatrix source = cast(m);
        source.read(0, target, 0, source.length());
    }

    @Override
    public float get(Matrix m, int row, int column) {
        batch.run();
        return cast(m).get(index(m, row, column));
    }

    @Override
    public void set(Matrix m, int row, int column, float value) {
        batch.run();
        inNative(m).set(index(m, row, column), value);
    }

    @Override
    public void copy(Matrix from, Matrix to) {
        sameShape(from, to);
        batch.run();
        inNative(to).copyFrom(cast(from));
    }

    @Override
    public void release(Matrix m) {
        batch.run();
        cast(m).release();
    }

    @Override
    public void product(float alpha, Matrix a, boolean transposeA, Matrix b, boolean transposeB, float beta, Matrix c) {
        Product product = new Product(sgemm, alpha, cast(a), transposeA, cast(b), transposeB, beta, cast(c));
        if (product.m == 0 || product.n == 0) return;
        // C is written (and read, when β ≠ 0) within each half.
        batch.add((long) product.m * product.n * Math.max(product.k, 1), product::part, reads(product.a), reads(product.b), writesHalf(product.c));
    }

    /** c ← α·op(a)·op(b) + β·c by the engine's sgemm, in halves of C's rows (at least as many as columns) or columns. */
    private static final class Product {
        final Sgemm sgemm;
        final float alpha;
        final float beta;
        final NativeMatrix a;
        final NativeMatrix b;
        final NativeMatrix c;
        final boolean transposeA;
        final boolean transposeB;
        final int m;
        final int n;
        final int k;
        final boolean byRows;
        final int split;

        Product(Sgemm sgemm, float alpha, NativeMatrix a, boolean transposeA, NativeMatrix b, boolean transposeB, float beta, NativeMatrix c) {
            this.m = transposeA ? a.columns() : a.rows();
            this.k = transposeA ? a.rows() : a.columns();
            this.n = transposeB ? b.rows() : b.columns();
            int kOfB = transposeB ? b.columns() : b.rows();
            if (kOfB != k || c.rows() != m || c.columns() != n) {
                throw new IllegalArgumentException("product of " + m + "×" + k + " and " + kOfB + "×" + n + " into " + c.rows() + "×" + c.columns());
            }
            if (c == a || c == b) throw new IllegalArgumentException("a product's output must not be one of its operands");
            this.sgemm = sgemm;
            this.alpha = alpha;
            this.beta = beta;
            this.a = a;
            this.b = b;
            this.c = c;
            this.transposeA = transposeA;
            this.transposeB = transposeB;
            this.byRows = byRows(m, n);
            this.split = byRows ? m : n;
            // The native memory, and the pointers where the upper half starts, made on the calling thread.
            int middle = Parallel.end(split, 0);
            a.pointerAt(offsetOfA(middle));
            b.pointerAt(offsetOfB(middle));
            c.pointerAt(offsetOfC(middle));
        }

        /** Half 0 or 1 of C (or the whole): its rows (or columns) start at a row of op(A) (or a column of op(B)). */
        void part(int part) {
            int from = start(split, part);
            int size = end(split, part) - from;
            if (size == 0) return;
            if (k == 0) {
                scale(byRows ? from * n : from, byRows ? size * n : m * n, part);
                return;
            }
            sgemm.multiply(transposeA, transposeB, byRows ? size : m, byRows ? n : size, k, alpha, a.pointerAt(offsetOfA(from)),
                    a.columns(), b.pointerAt(offsetOfB(from)), b.columns(), beta, c.pointerAt(offsetOfC(from)), n);
        }

        /** A product with no terms, c ← β·c, over values [from, from + count) (all of them in half 0 when C splits by columns). */
        private void scale(int from, int count, int part) {
            if (!byRows && part == 1) return;
            float[] values = new float[count];
            c.read(from, values, 0, count);
            for (int i = 0; i < count; i++) values[i] = beta == 0 ? 0f : beta * values[i];
            c.write(from, values, 0, count);
        }

        private long offsetOfA(int from) {
            return !byRows ? 0 : transposeA ? from : (long) from * a.columns();
        }

        private long offsetOfB(int from) {
            return byRows ? 0 : transposeB ? (long) from * b.columns() : from;
        }

        private long offsetOfC(int from) {
            return byRows ? (long) from * n : from;
        }
    }

    @Override
    public void biasActivation(Matrix z, Matrix bias, @Nullable Matrix v, float s, boolean relu, @Nullable DropoutDraws dropout, Matrix out) {
        int rows = z.rows();
        int columns = z.columns();
        if (bias.rows() != 1 || bias.columns() != columns) throw new IllegalArgumentException("bias " + bias + " for " + z);
        sameShape(z, out);
        if (v != null) sameShape(z, v);
        if (dropout != null) sameShape(z, dropout.rows(), dropout.columns());
        NativeMatrix input = inNative(z);
        NativeMatrix biases = inNative(bias);
        NativeMatrix branch = v != null ? inNative(v) : null;
        NativeMatrix output = inNative(out);
        Block epilogue = (i0, i1, j0, j1) -> {
            int n = j1 - j0;
            Scratch heap = SCRATCH.get().fit(n);
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
                    dropout.factors(i, j0, n, c, 0);
                    for (int j = 0; j < n; j++) a[j] *= c[j];
                }
                output.write(at, a, 0, n);
            }
        };
        long work = (long) rows * columns * (dropout != null ? DRAW_COST : ELEMENT_COST);
        batch.add(work, halves(rows, columns, epilogue), readsHalf(input), reads(biases), branch != null ? readsHalf(branch) : null, writesHalf(output));
    }

    @Override
    public void dropout(Matrix x, DropoutDraws draws, Matrix mask, Matrix out) {
        int rows = x.rows();
        int columns = x.columns();
        sameShape(x, mask);
        sameShape(x, out);
        sameShape(x, draws.rows(), draws.columns());
        NativeMatrix input = inNative(x);
        NativeMatrix masks = inNative(mask);
        NativeMatrix output = inNative(out);
        Block drop = (i0, i1, j0, j1) -> {
            int n = j1 - j0;
            Scratch heap = SCRATCH.get().fit(n);
            float[] a = heap.a;
            float[] b = heap.b;
            for (int i = i0; i < i1; i++) {
                int at = i * columns + j0;
                input.read(at, a, 0, n);
                draws.factors(i, j0, n, b, 0);
                for (int j = 0; j < n; j++) a[j] *= b[j];
                masks.write(at, b, 0, n);
                output.write(at, a, 0, n);
            }
        };
        batch.add((long) rows * columns * DRAW_COST, halves(rows, columns, drop), readsHalf(input), writesHalf(masks), writesHalf(output));
    }

    @Override
    public void reluDropoutBackward(Matrix dy, Matrix y, float keep, Matrix dz) {
        sameShape(dy, y);
        sameShape(dy, dz);
        NativeMatrix gradient = inNative(dy);
        NativeMatrix activation = inNative(y);
        NativeMatrix output = inNative(dz);
        batch.add(dy.size() * ELEMENT_COST, halves(dy.rows(), dy.columns(), segmented(dy.columns(), (start, n) -> {
            Scratch heap = SCRATCH.get().fit(n);
            float[] a = heap.a;
            float[] b = heap.b;
            gradient.read(start, a, 0, n);
            activation.read(start, b, 0, n);
            for (int k = 0; k < n; k++) a[k] = a[k] * keep * positive(b[k]);
            output.write(start, a, 0, n);
        })), readsHalf(gradient), readsHalf(activation), writesHalf(output));
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
        NativeMatrix output = inNative(target);
        NativeMatrix addend = inNative(add);
        NativeMatrix masks = inNative(mask);
        batch.add(target.size() * ELEMENT_COST, halves(target.rows(), target.columns(), segmented(target.columns(), (start, n) -> {
            Scratch heap = SCRATCH.get().fit(n);
            float[] a = heap.a;
            float[] b = heap.b;
            float[] c = heap.c;
            output.read(start, a, 0, n);
            addend.read(start, b, 0, n);
            masks.read(start, c, 0, n);
            for (int k = 0; k < n; k++) a[k] += b[k] * c[k];
            output.write(start, a, 0, n);
        })), readsHalf(addend), readsHalf(masks), writesHalf(output));
    }

    @Override
    public void columnSums(Matrix m, Matrix sums) {
        int rows = m.rows();
        int columns = m.columns();
        if (sums.rows() != 1 || sums.columns() != columns) throw new IllegalArgumentException("sums " + sums + " of the columns of " + m);
        NativeMatrix input = inNative(m);
        NativeMatrix output = inNative(sums);
        // By halves of the columns: each sum is still taken in row order, whichever half it is in.
        batch.add(m.size() * SUM_COST, part -> {
            int from = start(columns, part);
            int n = end(columns, part) - from;
            if (n == 0) return;
            Scratch heap = SCRATCH.get().fit(n);
            float[] total = heap.a;
            float[] row = heap.b;
            java.util.Arrays.fill(total, 0, n, 0f);
            for (int i = 0; i < rows; i++) {
                input.read(i * columns + from, row, 0, n);
                for (int j = 0; j < n; j++) total[j] += row[j];
            }
            output.write(from, total, 0, n);
        }, reads(input), writes(output));
    }

    /**
     * Adam by halves of the values, a chunk of {@link NativeMatrix#HEAP_CHUNK} (or the part of one in the half) at a
     * time. Each chunk of the gradient and of the parameter is copied from native memory into this thread's heap arrays, updated there with the moments' chunk (all
     * four indexed alike, so the JIT vectorises the loop; the moments live on the heap only, {@link NativeMatrix#heap}),
     * and the parameter written back for the products. Copies of a chunk stay in cache: per value Adam moves the four
     * arrays it reads and the three it writes, and nothing more.
     */
    @Override
    public void adam(AdamMath adam, Matrix p, Matrix g, Matrix m, Matrix v) {
        sameShape(p, g);
        sameShape(p, m);
        sameShape(p, v);
        NativeMatrix parameter = inNative(p);
        NativeMatrix gradient = inNative(g);
        NativeMatrix firstMoment = cast(m);
        NativeMatrix secondMoment = cast(v);
        float[][] first = firstMoment.heap();
        float[][] second = secondMoment.heap();
        int length = parameter.length();
        // The update runs when the batch does, with the step's bias corrections as they are then: a later beginStep in
        // between would silently apply the wrong step's, so it is refused.
        long step = adam.steps();
        batch.add((long) length * ADAM_COST, part -> {
            if (adam.steps() != step) {
                throw new IllegalStateException("Adam's step " + step + " was still queued when step " + adam.steps()
                        + " began: read a value (or run a product) between two steps");
            }
            Scratch heap = SCRATCH.get().fit(NativeMatrix.HEAP_CHUNK);
            float[] values = heap.a;
            float[] gradients = heap.b;
            // This half's values, a chunk (or the part of one in the half) at a time, at the index they have in the chunk.
            for (int at = start(length, part), to = end(length, part), n; at < to; at += n) {
                int chunk = at / NativeMatrix.HEAP_CHUNK;
                int from = at % NativeMatrix.HEAP_CHUNK;
                n = NativeMatrix.inChunk(at, to);
                gradient.read(at, gradients, from, n);
                parameter.read(at, values, from, n);
                adam.update(values, gradients, first[chunk], second[chunk], from, from + n);
                parameter.write(at, values, from, n);
            }
        }, reads(gradient), writes(parameter), writes(firstMoment), writes(secondMoment));
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
     * Whether the halves of a {@code rows × columns} matrix are halves of its rows (else of its columns): for a product into
     * it, the split that halves the larger operand. Every kernel splits a matrix of a shape the same way, which is what lets
     * an epilogue touch only the half of a product's output that its own thread wrote ({@link Parallel.Access}).
     */
    private static boolean byRows(int rows, int columns) {
        return rows >= columns;
    }

    /** {@code work} in parts of a {@code rows × columns} matrix: the halves a product into it takes. */
    private static IntConsumer halves(int rows, int columns, Block work) {
        boolean byRows = byRows(rows, columns);
        int split = byRows ? rows : columns;
        return part -> {
            int from = start(split, part);
            int to = end(split, part);
            if (from == to) return;
            if (byRows) {
                work.run(from, to, 0, columns);
            } else {
                work.run(0, rows, from, to);
            }
        };
    }

    /** A block as element-wise work sees it: runs of whole rows in pieces of at most {@link #CHUNK} values, else a row's part at a time. */
    private static Block segmented(int columns, Segment work) {
        return (i0, i1, j0, j1) -> {
            if (j0 == 0 && j1 == columns) {
                for (int start = i0 * columns, end = i1 * columns, n; start < end; start += n) {
                    n = Math.min(CHUNK, end - start);
                    work.run(start, n);
                }
            } else {
                for (int i = i0; i < i1; i++) work.run(i * columns + j0, j1 - j0);
            }
        };
    }

    private static NativeMatrix cast(Matrix m) {
        if (m instanceof NativeMatrix matrix) return matrix;
        throw new IllegalArgumentException("not a matrix of a native-memory engine (openblas, onednn): " + m.getClass().getName());
    }

    /** An operand or output in native memory, made there now, on the calling thread. */
    private static NativeMatrix inNative(Matrix m) {
        NativeMatrix matrix = cast(m);
        matrix.pointer();
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
