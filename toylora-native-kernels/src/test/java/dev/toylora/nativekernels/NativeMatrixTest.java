package dev.toylora.nativekernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.api.OptimizerSpec;
import dev.toylora.model.kernel.AdamMath;
import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Test;

/** Native matrices: pointers into them, where their values live, and the Adam kernel on them. */
class NativeMatrixTest {

    @Test
    void aPointerAtAnOffsetIsMadeOnceAndSharesTheMemory() {
        NativeMatrix whole = new NativeMatrix(2, 5);
        assertSame(whole.pointer(), whole.pointerAt(0));
        FloatPointer at4 = whole.pointerAt(4);
        assertSame(at4, whole.pointerAt(4));
        at4.put(0, 7f);
        assertEquals(7f, whole.get(4));
    }

    /** A product into a block of columns: C[:, 1:3] of a 2×4 row-major C, with C's row length as ldc. */
    @Test
    void aProductWritesABlockOfColumnsThroughAPointerInsideC() {
        NativeMatrix a = NativeMatrix.of(2, 2, 1, 2, 3, 4);
        NativeMatrix identity = NativeMatrix.of(2, 2, 1, 0, 0, 1);
        NativeMatrix c = NativeMatrix.of(2, 4, 9, 9, 9, 9, 9, 9, 9, 9);
        new ReferenceSgemm().multiply(false, false, 2, 2, 2, 1f, a.pointer(), 2, identity.pointer(), 2, 0f, c.pointerAt(1), 4);
        assertArrayEquals(new float[] {9, 1, 2, 9, 9, 3, 4, 9}, c.toArray());
    }

    @Test
    void valuesMoveBetweenHeapAndNativeMemoryUnchanged() {
        NativeMatrix m = NativeMatrix.of(1, 3, 1, 2, 3);
        float[][] heap = m.heap();
        assertArrayEquals(new float[][] {{1, 2, 3}}, heap);
        heap[0][1] = 20;
        assertEquals(20, m.get(1));
        m.set(2, 30);                       // back to native memory
        assertArrayEquals(new float[] {1, 20, 30}, m.toArray());
        assertEquals(0f, new NativeMatrix(2, 2).get(3), "zeros before any memory is made");
    }

    @Test
    void onTheHeapValuesAreChunkedAndReadAcrossChunks() {
        int length = 2 * NativeMatrix.HEAP_CHUNK + 5;
        float[] values = new float[length];
        for (int i = 0; i < length; i++) values[i] = i;
        NativeMatrix m = NativeMatrix.of(1, length, values);
        float[][] heap = m.heap();
        assertEquals(3, heap.length);
        assertEquals(5, heap[2].length);
        assertEquals(NativeMatrix.HEAP_CHUNK + 7, heap[1][7]);
        float[] across = new float[10];
        m.read(NativeMatrix.HEAP_CHUNK - 4, across, 0, 10);
        for (int k = 0; k < 10; k++) assertEquals(NativeMatrix.HEAP_CHUNK - 4 + k, across[k]);
        NativeMatrix copy = new NativeMatrix(1, length);
        copy.copyFrom(m);
        assertArrayEquals(values, copy.toArray());
        m.pointer();                        // back to native memory
        assertArrayEquals(values, m.toArray());
    }

    @Test
    void aReleasedMatrixIsNotUsedAgain() {
        NativeKernels kernels = new NativeKernels(new ReferenceSgemm());
        NativeMatrix m = NativeMatrix.of(1, 2, 1, 2);
        kernels.release(m);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> kernels.get(m, 0, 0));
        assertEquals("this matrix was released (its network closed)", e.getMessage());
    }

    @Test
    void adamStepsAParameterAsWrittenFromElsewhere() {
        NativeKernels kernels = new NativeKernels(new ReferenceSgemm());
        NativeMatrix p = NativeMatrix.of(1, 2, 1, 1);
        NativeMatrix g = NativeMatrix.of(1, 2, 1, -1);
        NativeMatrix m = new NativeMatrix(1, 2);
        NativeMatrix v = new NativeMatrix(1, 2);
        AdamMath adam = new AdamMath(OptimizerSpec.adam(0.5));
        adam.beginStep();
        kernels.adam(adam, p, g, m, v);
        assertEquals(0.5f, kernels.get(p, 0, 0), 1e-6f);
        assertEquals(1.5f, kernels.get(p, 0, 1), 1e-6f);
        kernels.set(p, 0, 0, 10f);          // a write Adam did not make (loaded weights, an unmerge)
        adam.beginStep();
        kernels.adam(adam, p, g, m, v);
        assertEquals(9.5f, kernels.get(p, 0, 0), 1e-3f);
        assertEquals("1 × 2 (heap)", m.toString(), "the moments never need native memory");
    }

    @Test
    void adamOverManyChunksInHalvesIsAdamOnPlainArrays() {
        int length = 2 * NativeMatrix.HEAP_CHUNK + 1001;
        float[] p = new float[length];
        float[] g = new float[length];
        for (int i = 0; i < length; i++) {
            p[i] = (float) Math.sin(i);
            g[i] = (float) Math.cos(3 * i);
        }
        NativeKernels kernels = new NativeKernels(new ReferenceSgemm());
        NativeMatrix parameter = NativeMatrix.of(1, length, p);
        NativeMatrix gradient = NativeMatrix.of(1, length, g);
        NativeMatrix m = new NativeMatrix(1, length);
        NativeMatrix v = new NativeMatrix(1, length);
        AdamMath engine = new AdamMath(OptimizerSpec.adam(0.01));
        AdamMath plain = new AdamMath(OptimizerSpec.adam(0.01));
        float[] first = new float[length];
        float[] second = new float[length];
        for (int step = 0; step < 3; step++) {
            engine.beginStep();
            kernels.adam(engine, parameter, gradient, m, v);
            kernels.get(parameter, 0, 0);   // runs the queued update before the next step begins, as a step's first write does
            plain.beginStep();
            plain.update(p, g, first, second, 0, length);
        }
        float[] read = new float[length];
        kernels.read(parameter, read);
        assertArrayEquals(p, read);
        kernels.read(m, read);
        assertArrayEquals(first, read);
        kernels.read(v, read);
        assertArrayEquals(second, read);
    }

    @Test
    void aStepBegunBeforeTheLastOneRanIsRefused() {
        NativeKernels kernels = new NativeKernels(new ReferenceSgemm());
        NativeMatrix p = NativeMatrix.of(1, 2, 1, 1);
        NativeMatrix g = NativeMatrix.of(1, 2, 1, -1);
        AdamMath adam = new AdamMath(OptimizerSpec.adam(0.5));
        adam.beginStep();
        kernels.adam(adam, p, g, new NativeMatrix(1, 2), new NativeMatrix(1, 2));
        adam.beginStep();                   // nothing ran the queued update of step 1
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> kernels.get(p, 0, 0));
        assertEquals("Adam's step 1 was still queued when step 2 began: read a value (or run a product) between two steps", e.getMessage());
    }

    @Test
    void aLibraryThatMultipliesWronglyIsRefusedByName() {
        Sgemm.check(new ReferenceSgemm(), "Reference");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Sgemm.check((ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) -> {}, "Broken"));
        assertTrue(e.getMessage().startsWith("Broken loaded but multiplied wrongly: [0.0, 0.0, 0.0, 0.0]"), e.getMessage());
    }
}
