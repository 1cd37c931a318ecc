package dev.toylora.model.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DropoutDrawsTest {

    @Test
    void aRunOfFactorsIsTheFactorsOneByOne() {
        SplitMixStream stream = new SplitMixStream(7);
        for (double p : new double[] {0, 0.2, 0.5, 0.9}) {
            for (boolean unitMajor : new boolean[] {true, false}) {
                int rows = 37;
                int columns = 129;
                DropoutDraws draws = unitMajor
                        ? DropoutDraws.unitMajor(stream, 1_000_003, rows, columns, p)
                        : DropoutDraws.rowMajor(stream, 12_345, rows, columns, p);
                float[] run = new float[columns + 3];
                for (int row = 0; row < rows; row++) {
                    // A whole row, then a part of one at an offset into the array.
                    draws.factors(row, 0, columns, run, 0);
                    for (int j = 0; j < columns; j++) assertFactor(draws.factor(row, j), run[j], p, row, j);
                    draws.factors(row, 5, 100, run, 3);
                    for (int j = 0; j < 100; j++) assertFactor(draws.factor(row, 5 + j), run[3 + j], p, row, 5 + j);
                }
            }
        }
    }

    private static void assertFactor(float expected, float actual, double p, int row, int column) {
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual), "p " + p + ", value (" + row + ", " + column + ")");
    }

    @Test
    void aRunOutsideTheMatrixIsRefused() {
        DropoutDraws draws = DropoutDraws.rowMajor(new SplitMixStream(1), 0, 4, 10, 0.2);
        float[] out = new float[20];
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> draws.factors(0, 5, 6, out, 0));
        assertEquals("factors of row 0, columns [5, 11) of 4 × 10 draws", e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> draws.factors(4, 0, 1, out, 0));
    }
}
