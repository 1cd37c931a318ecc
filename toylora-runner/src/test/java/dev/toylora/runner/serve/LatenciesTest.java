package dev.toylora.runner.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** The server's latency histogram: quantiles between two readings fall in the right bucket, within its 10%. */
class LatenciesTest {
    @Test
    void quantilesBetweenTwoReadingsCountOnlyWhatHappenedBetweenThem() {
        Latencies latencies = new Latencies();
        for (int i = 0; i < 1000; i++) latencies.record(500_000_000L); // 500 ms, before the first reading
        long[] before = counts(latencies);
        for (int i = 0; i < 98; i++) latencies.record(2_000_000L);     // 2 ms
        latencies.record(20_000_000L);                                   // 20 ms
        latencies.record(40_000_000L);                                   // 40 ms
        long[] after = counts(latencies);
        double p50 = Latencies.quantileMs(before, after, 0.5);
        double p99 = Latencies.quantileMs(before, after, 0.99);
        double max = Latencies.quantileMs(before, after, 1.0);
        assertTrue(p50 >= 2 && p50 < 2.2, "p50 " + p50);
        assertTrue(p99 >= 20 && p99 < 22, "p99 " + p99);
        assertTrue(max >= 40 && max < 44, "max " + max);
        assertTrue(Double.isNaN(Latencies.quantileMs(after, after, 0.5)), "nothing between equal readings");
    }

    @Test
    void extremesLandInTheFirstAndLastBuckets() {
        Latencies latencies = new Latencies();
        latencies.record(0);
        latencies.record(Long.MAX_VALUE);
        long[] counts = counts(latencies);
        assertEquals(1, counts[0]);
        assertEquals(1, counts[Latencies.BUCKETS - 1]);
    }

    private static long[] counts(Latencies latencies) {
        ObjectNode node = new ObjectMapper().createObjectNode();
        latencies.write(node);
        long[] out = new long[Latencies.BUCKETS];
        for (int i = 0; i < out.length; i++) out[i] = node.path("counts").path(i).asLong();
        return out;
    }
}
