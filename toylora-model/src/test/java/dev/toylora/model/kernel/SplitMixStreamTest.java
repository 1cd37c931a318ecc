package dev.toylora.model.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SplitMixStreamTest {

    @Test
    void everyValueIsTheOneSplittableRandomDrawsAtThatPosition() {
        for (long seed : new long[] {0, 1, 42, -7, Long.MIN_VALUE, Long.MAX_VALUE, 0x9e3779b97f4a7c15L}) {
            SplittableRandom serial = new SplittableRandom(seed);
            SplitMixStream stream = new SplitMixStream(seed);
            for (int k = 0; k < 10_000; k++) {
                double expected = serial.nextDouble();
                assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(stream.at(k)), "seed " + seed + ", draw " + k);
            }
        }
    }

    @Test
    void rangesDrawnOutOfOrderMatchTheSerialDraws() {
        SplittableRandom serial = new SplittableRandom(2026);
        double[] expected = new double[1000];
        for (int k = 0; k < expected.length; k++) expected[k] = serial.nextDouble();
        SplitMixStream stream = new SplitMixStream(2026);
        stream.advance(600);
        for (int k = 999; k >= 600; k--) assertEquals(expected[k], stream.at(k));
        assertEquals(600, stream.position());
        for (int k = 0; k < 600; k++) assertEquals(expected[k], stream.at(k));
    }

    @Test
    void theThresholdDecidesAsTheDoubleComparisonDoes() {
        SplitMixStream stream = new SplitMixStream(99);
        double[] ps = {0, 1e-300, 0x1.0p-53, 0x1.8p-53, 1e-9, 0.1, 0.2, 0.25, 1.0 / 3, 0.5, 0.9, Math.nextDown(1.0), 1};
        for (double p : ps) {
            long threshold = SplitMixStream.threshold(p);
            for (int k = 0; k < 20_000; k++) {
                assertEquals(stream.at(k) >= p, stream.bitsAt(k) >= threshold, "p " + p + ", draw " + k);
            }
            // Exactly at the boundary: the least bits that reach p, and the one below.
            if (threshold > 0) assertTrue((threshold - 1) * 0x1.0p-53 < p, "p " + p);
            assertTrue(threshold * 0x1.0p-53 >= p || threshold == 1L << 53, "p " + p);
        }
        assertThrows(IllegalArgumentException.class, () -> SplitMixStream.threshold(1.5));
        assertThrows(IllegalArgumentException.class, () -> SplitMixStream.threshold(Double.NaN));
    }

    @Test
    void refusesToGoBack() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SplitMixStream(1).advance(-1));
        assertEquals("count must be >= 0, got -1", e.getMessage());
    }
}
