package dev.toylora.engine.ojalgo;

import java.util.Arrays;
import java.util.concurrent.RecursiveAction;
import org.ojalgo.array.operation.AXPY;

/**
 * Matrix products on row arrays ({@code float[rows][columns]}) with the kernel of ojAlgo's
 * {@code MultiplyNeither.fill(double[][]…)}, in float: each product row is cleared, then gets {@code left[i][c]·right[c]}
 * added for c in order by ojAlgo's float {@link AXPY}, and is then scaled by α (and β·product added), as the reference
 * engine computes it, so that both round alike. With whole rows (no offsets) C2
 * vectorises that loop, unlike the offset AXPY and scalar DOT of the column-major {@code R064Store} products; in float
 * it adds twice the values per vector instruction and moves half the bytes of the double kernel. A zero multiplier
 * is skipped (ReLU and dropout make many): 0·b adds ±0, so with finite operands the sums are bit for bit the same.
 *
 * <p>The rows of a large product are split into one part per processor, run by the caller and the common
 * fork/join pool. Each element is still summed by one thread in the same order, so results do not depend on the
 * number of threads. Not ojAlgo's own split: its divider is shared and only splits products of more than 128 rows
 * (32 once some other ojAlgo product has reset it), so the batch-major products, 64 rows, would stay on one
 * thread; and its caller waits for a part a busy machine may not have started, where a fork/join caller takes an
 * unstarted part back and runs it itself.
 */
final class Products {
    private Products() {}

    /** Below this many multiply-adds work stays on the calling thread: handing it over costs more than it saves. */
    private static final long SPLIT_WORK = 1 << 19;
    /** A part of more rows than this is halved while processors are left to take the halves. */
    private static final int MIN_ROWS = 16;
    /** How many values a block of product rows, and a block of right rows, holds: both together well within a core's L2. */
    private static final int ROW_BLOCK_FLOATS = 1 << 14;
    private static final int DEPTH_BLOCK_FLOATS = 1 << 15;
    private static final int PARTS = Integer.highestOneBit(Runtime.getRuntime().availableProcessors());

    /** Work on rows {@code [first, limit)} of something, independent of every other row's. */
    @FunctionalInterface
    interface RowRange {
        void run(int first, int limit);
    }

    /** product ← α·left·right + β·product: {@code [m][n] = [m][k]·[k][n]}; product must not be left or right. */
    static void multiply(float alpha, float[][] left, float[][] right, float beta, float[][] product) {
        long work = (long) product.length * right.length * product[0].length;
        forRows(product.length, work, (first, limit) -> rows(alpha, left, right, beta, product, first, limit));
    }

    /** Runs {@code task} over {@code [0, rows)}, split among the processors when {@code work} (in multiply-adds) is large. */
    static void forRows(int rows, long work, RowRange task) {
        if (work < SPLIT_WORK || PARTS == 1 || rows <= MIN_ROWS) {
            task.run(0, rows);
        } else {
            new Part(task, 0, rows, PARTS).compute();
        }
    }

    private static void rows(float alpha, float[][] left, float[][] right, float beta, float[][] product, int first, int limit) {
        if (beta != 0f) {
            accumulate(alpha, left, right, beta, product, first, limit);
            return;
        }
        for (int i = first; i < limit; i++) Arrays.fill(product[i], 0f);
        // Product rows go by blocks, and the right rows by blocks that stay in cache for a whole block of product rows,
        // instead of all of them streaming in once per row; each element still gets its terms in the order c = 0, 1, …
        int columns = product[0].length;
        int rowBlock = Math.max(1, ROW_BLOCK_FLOATS / columns);
        int depthBlock = Math.max(8, DEPTH_BLOCK_FLOATS / columns);
        int[] terms = new int[Math.min(depthBlock, right.length)];
        for (int i0 = first; i0 < limit; i0 += rowBlock) {
            int i1 = Math.min(limit, i0 + rowBlock);
            for (int c0 = 0; c0 < right.length; c0 += depthBlock) {
                int c1 = Math.min(right.length, c0 + depthBlock);
                for (int i = i0; i < i1; i++) addTerms(product[i], left[i], right, c0, c1, terms);
            }
            if (alpha != 1f) {
                for (int i = i0; i < i1; i++) scale(product[i], alpha);
            }
        }
    }

    /**
     * {@code row += Σ left[c]·right[c]} for c in {@code [c0, c1)}, in order, zero factors skipped. The non-zero terms go
     * four at a time through one pass over the row ({@link #addFour}), which reads and writes the row once instead of four
     * times and rounds exactly as four {@link AXPY}s would; what is left goes through AXPY itself.
     */
    private static void addTerms(float[] row, float[] left, float[][] right, int c0, int c1, int[] terms) {
        int count = nonZeroTerms(left, c0, c1, terms);
        int t = 0;
        for (; t + 4 <= count; t += 4) {
            int k0 = terms[t], k1 = terms[t + 1], k2 = terms[t + 2], k3 = terms[t + 3];
            addFour(row, left[k0], right[k0], left[k1], right[k1], left[k2], right[k2], left[k3], right[k3]);
        }
        for (; t < count; t++) AXPY.invoke(row, left[terms[t]], right[terms[t]]);
    }

    /**
     * Writes the c in {@code [c0, c1)} with a non-zero {@code left[c]} into {@code terms}, in order, and returns how many.
     * Without a branch on the value: ReLU and dropout leave zeros at random, which a branch would mispredict about
     * every other time.
     */
    private static int nonZeroTerms(float[] left, int c0, int c1, int[] terms) {
        int count = 0;
        for (int c = c0; c < c1; c++) {
            terms[count] = c;
            count += left[c] != 0f ? 1 : 0;
        }
        return count;
    }

    /**
     * {@code row[j] = (((row[j] + f0·x0[j]) + f1·x1[j]) + f2·x2[j]) + f3·x3[j]}: each product and sum rounded to float in
     * that order, as four AXPYs in a row round it (Java fuses no multiply-add), so the result is bit for bit the same.
     */
    private static void addFour(float[] row, float f0, float[] x0, float f1, float[] x1, float f2, float[] x2, float f3, float[] x3) {
        int n = row.length;
        if (x0.length < n || x1.length < n || x2.length < n || x3.length < n) throw new IllegalArgumentException("rows of different lengths");
        for (int j = 0; j < n; j++) row[j] = row[j] + f0 * x0[j] + f1 * x1[j] + f2 * x2[j] + f3 * x3[j];
    }

    /**
     * The sum into a row of its own, then {@code α·sum + β·row}, as the reference engine rounds it (adding the terms onto
     * the row would round differently). Only products onto a matrix take this way (LoRA's dx += du·A, merging), with few
     * terms, so no blocks.
     */
    private static void accumulate(float alpha, float[][] left, float[][] right, float beta, float[][] product, int first, int limit) {
        float[] sum = new float[product[0].length];
        int[] terms = new int[right.length];
        for (int i = first; i < limit; i++) {
            Arrays.fill(sum, 0f);
            addTerms(sum, left[i], right, 0, right.length, terms);
            float[] row = product[i];
            for (int j = 0; j < row.length; j++) row[j] = alpha * sum[j] + beta * row[j];
        }
    }

    private static void scale(float[] row, float factor) {
        for (int j = 0; j < row.length; j++) row[j] *= factor;
    }

    /** Rows {@code first … limit-1} of a task, to be run by {@code parts} threads. */
    private static final class Part extends RecursiveAction {
        private final RowRange task;
        private final int first;
        private final int limit;
        private final int parts;

        Part(RowRange task, int first, int limit, int parts) {
            this.task = task;
            this.first = first;
            this.limit = limit;
            this.parts = parts;
        }

        @Override
        protected void compute() {
            if (parts > 1 && limit - first > MIN_ROWS) {
                int middle = (first + limit) >>> 1;
                Part upper = new Part(task, first, middle, parts / 2);
                upper.fork();
                new Part(task, middle, limit, parts / 2).compute();
                // Runs the upper half here if no pool thread has taken it yet.
                upper.join();
            } else {
                task.run(first, limit);
            }
        }
    }
}
