package dev.toylora.engine.ojalgo;

import java.util.Arrays;
import java.util.concurrent.RecursiveAction;
import org.ojalgo.array.operation.AXPY;

/**
 * Matrix products on row arrays ({@code float[rows][columns]}) with the kernel of ojAlgo's
 * {@code MultiplyNeither.fill(double[][]…)}, in float: each product row is cleared, then gets {@code left[i][c]·right[c]}
 * added for c in order by ojAlgo's float {@link AXPY}. With whole rows (no offsets) C2 vectorises that loop, unlike the
 * offset AXPY and scalar DOT of the column-major {@code R064Store} products; in float it adds twice the values per
 * vector instruction and moves half the bytes (1.7–2× the double kernel's GFLOP/s in a microbenchmark at the
 * training shapes).
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

    /** Below this many multiply-adds a product stays on the calling thread: handing work over costs more than it saves. */
    private static final long SPLIT_WORK = 1 << 19;
    /** A part of more rows than this is halved while processors are left to take the halves. */
    private static final int MIN_ROWS = 16;
    private static final int PARTS = Integer.highestOneBit(Runtime.getRuntime().availableProcessors());

    /** product = left·right: {@code [m][n] = [m][k]·[k][n]}. */
    static void multiply(float[][] product, float[][] left, float[][] right) {
        int m = product.length;
        long work = (long) m * right.length * product[0].length;
        if (work < SPLIT_WORK || PARTS == 1) {
            rows(product, left, right, 0, m);
        } else {
            new Part(product, left, right, 0, m, PARTS).compute();
        }
    }

    private static void rows(float[][] product, float[][] left, float[][] right, int first, int limit) {
        for (int i = first; i < limit; i++) {
            float[] row = product[i];
            Arrays.fill(row, 0);
            float[] leftRow = left[i];
            for (int c = 0; c < leftRow.length; c++) AXPY.invoke(row, leftRow[c], right[c]);
        }
    }

    /** Rows {@code first … limit-1} of a product, to be run by {@code parts} threads. */
    private static final class Part extends RecursiveAction {
        private final float[][] product;
        private final float[][] left;
        private final float[][] right;
        private final int first;
        private final int limit;
        private final int parts;

        Part(float[][] product, float[][] left, float[][] right, int first, int limit, int parts) {
            this.product = product;
            this.left = left;
            this.right = right;
            this.first = first;
            this.limit = limit;
            this.parts = parts;
        }

        @Override
        protected void compute() {
            if (parts > 1 && limit - first > MIN_ROWS) {
                int middle = (first + limit) >>> 1;
                Part upper = new Part(product, left, right, first, middle, parts / 2);
                upper.fork();
                new Part(product, left, right, middle, limit, parts / 2).compute();
                // Runs the upper half here if no pool thread has taken it yet.
                upper.join();
            } else {
                rows(product, left, right, first, limit);
            }
        }
    }
}
