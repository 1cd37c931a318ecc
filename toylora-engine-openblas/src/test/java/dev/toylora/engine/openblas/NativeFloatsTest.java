package dev.toylora.engine.openblas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Views of native arrays, which products use to start inside a matrix. */
class NativeFloatsTest {

    @BeforeAll
    static void loadOpenBlas() {
        NativeBlas.load();
    }

    @Test
    void aViewSharesTheMemoryOfWhatItViews() {
        NativeFloats whole = NativeFloats.of(new float[] {0, 1, 2, 3, 4, 5});
        NativeFloats view = whole.view(2, 3);
        assertArrayEquals(new float[] {2, 3, 4}, view.toArray());
        view.set(0, 20);
        assertEquals(20, whole.get(2));
        whole.set(4, 40);
        assertEquals(40, view.get(2));
    }

    @Test
    void fromIsMadeOncePerOffset() {
        NativeFloats whole = NativeFloats.zeros(10);
        assertSame(whole, whole.from(0));
        NativeFloats at4 = whole.from(4);
        NativeFloats at5 = whole.from(5);
        assertSame(at4, whole.from(4));
        assertSame(at5, whole.from(5));
        assertEquals(6, at4.length());
    }

    /** A product into a block of columns: C[:, 1:3] of a 2×4 row-major C, with C's row length as ldc. */
    @Test
    void aProductWritesABlockOfColumnsThroughAView() {
        NativeFloats a = NativeFloats.of(new float[] {1, 2, 3, 4});             // [2 × 2]
        NativeFloats identity = NativeFloats.of(new float[] {1, 0, 0, 1});      // [2 × 2]
        NativeFloats c = NativeFloats.of(new float[] {9, 9, 9, 9, 9, 9, 9, 9}); // [2 × 4]
        NativeBlas.sgemm(false, false, 2, 2, 2, 1f, a, 2, identity, 2, 0f, c.from(1), 4);
        assertArrayEquals(new float[] {9, 1, 2, 9, 9, 3, 4, 9}, c.toArray());
    }

    @Test
    void aViewOutsideTheArrayIsRefused() {
        NativeFloats whole = NativeFloats.zeros(4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> whole.view(3, 2));
        assertEquals("view [3, 5) of 4 values", e.getMessage());
    }
}
