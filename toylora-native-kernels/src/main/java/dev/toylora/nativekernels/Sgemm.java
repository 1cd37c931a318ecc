package dev.toylora.nativekernels;

import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;

/**
 * What an engine on native memory supplies: a single-precision matrix product on row-major matrices, as BLAS's
 * {@code sgemm} defines it. Everything else ({@link NativeKernels}) is shared.
 */
@FunctionalInterface
public interface Sgemm {

    /**
     * {@code C ← α·op(A)·op(B) + β·C}: op(A) is {@code m × k}, op(B) {@code k × n}, C {@code m × n}; {@code lda},
     * {@code ldb}, {@code ldc} are the row lengths of the stored A, B and C. It runs on the calling thread, and two
     * threads may call it at once on different outputs; the same arguments must give the same bits on any thread.
     */
    void multiply(boolean transposeA, boolean transposeB, int m, int n, int k, float alpha, FloatPointer a, int lda,
                  FloatPointer b, int ldb, float beta, FloatPointer c, int ldc);

    /**
     * One small product with a known answer, in both transposed forms of B, before anything trusts a native library;
     * throws naming {@code library} when it multiplies wrongly.
     */
    static void check(Sgemm sgemm, String library) {
        NativeMatrix a = NativeMatrix.of(2, 3, 1, 2, 3, 4, 5, 6);
        NativeMatrix b = NativeMatrix.of(3, 2, 1, 0, 0, 1, 1, 1);
        NativeMatrix c = new NativeMatrix(2, 2);
        sgemm.multiply(false, false, 2, 2, 3, 1f, a.pointer(), 3, b.pointer(), 2, 0f, c.pointer(), 2);
        NativeMatrix bT = NativeMatrix.of(2, 3, 1, 0, 1, 0, 1, 1);
        NativeMatrix d = new NativeMatrix(2, 2);
        sgemm.multiply(false, true, 2, 2, 3, 1f, a.pointer(), 3, bT.pointer(), 3, 0f, d.pointer(), 2);
        float[] expected = {4, 5, 10, 11};
        if (!Arrays.equals(c.toArray(), expected) || !Arrays.equals(d.toArray(), expected)) {
            throw new IllegalStateException(library + " loaded but multiplied wrongly: " + Arrays.toString(c.toArray()) + " and "
                    + Arrays.toString(d.toArray()) + ", expected " + Arrays.toString(expected));
        }
    }
}
