package dev.toylora.io.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DatasetTest {

    /** 5 rows × 2 columns; row i holds {i, 10+i}; labels 3, 1, 3, 9, 0. */
    private static Dataset small() {
        float[] f = new float[10];
        for (int i = 0; i < 5; i++) {
            f[2 * i] = i;
            f[2 * i + 1] = 10 + i;
        }
        return new Dataset("small", f, new int[] {3, 1, 3, 9, 0}, 5, 2);
    }

    @Test
    void labelAndCopyRow() {
        Dataset d = small();
        assertEquals(9, d.label(3));
        float[] dest = new float[6];
        d.copyRow(4, dest, 1);
        d.copyRow(2, dest, 2);
        assertArrayEquals(new float[] {0, 0, 4, 14, 2, 12}, dest);
        assertThrows(IndexOutOfBoundsException.class, () -> d.label(5));
        assertThrows(IndexOutOfBoundsException.class, () -> d.copyRow(-1, dest, 0));
    }

    @Test
    void subsetIsAViewOfTheRowsInOrder() {
        Dataset d = small();
        Dataset s = d.subset(new int[] {3, 0, 3});
        assertEquals("small", s.name());
        assertEquals(3, s.rows());
        assertEquals(2, s.columns());
        assertArrayEquals(new float[] {3, 13, 0, 10, 3, 13}, s.features());
        assertArrayEquals(new int[] {9, 3, 9}, s.labels());
        assertNotSame(s.features(), s.features(), "features() hands out copies, so callers cannot change the shared pixels");
        s.features()[0] = -1;
        assertEquals(3f, d.features()[6]);
        Dataset ofSubset = s.subset(new int[] {1, 2});
        assertArrayEquals(new float[] {0, 10, 3, 13}, ofSubset.features(), "a view of a view maps back to the loaded rows");
        assertArrayEquals(new int[] {3, 9}, ofSubset.labels());
        assertArrayEquals(new int[] {0, 0, 0, 1, 0, 0, 0, 0, 0, 2}, s.classCounts());
        assertArrayEquals(new int[] {1}, s.rowsOfClasses(List.of(3)));
        assertEquals(d.subset(new int[] {0, 3}), new Dataset("small", new float[] {0, 10, 3, 13}, new int[] {3, 9}, 2, 2));
        assertEquals(0, d.subset(new int[0]).rows());
        assertThrows(IndexOutOfBoundsException.class, () -> d.subset(new int[] {5}));
    }

    @Test
    void rowsOfClassesAscending() {
        Dataset d = small();
        assertArrayEquals(new int[] {0, 2, 4}, d.rowsOfClasses(List.of(3, 0)));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, d.rowsOfClasses(Set.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)));
        assertArrayEquals(new int[0], d.rowsOfClasses(List.of(5, 6)));
        assertArrayEquals(new int[0], d.rowsOfClasses(List.of()));
    }

    @Test
    void classCounts() {
        assertArrayEquals(new int[] {1, 1, 0, 2, 0, 0, 0, 0, 0, 1}, small().classCounts());
    }

    @Test
    void validatesLengths() {
        assertThrows(IllegalArgumentException.class, () -> new Dataset("x", new float[5], new int[2], 2, 2));
        assertThrows(IllegalArgumentException.class, () -> new Dataset("x", new float[4], new int[3], 2, 2));
        assertThrows(IllegalArgumentException.class, () -> new Dataset("x", new float[4], new int[] {0, 10}, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> new Dataset("x", new float[0], new int[0], 0, 0));
    }

    @Test
    void equalityByContent() {
        assertEquals(small(), small());
        assertEquals(small().hashCode(), small().hashCode());
        assertEquals("Dataset[small, 5 rows × 2 columns]", small().toString());
    }
}
