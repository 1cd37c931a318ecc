package dev.toylora.runner.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How long the server took to answer predictions, measured inside it (from the handler's first line to the answer
 * sent): a cumulative histogram, as a metrics system keeps one, so that a client can tell the server's share of the
 * latency it sees from its own by reading it before and after a run. Buckets grow by 10%: bucket i holds durations up
 * to {@code FIRST_MS · 1.1^i}; the last one holds everything longer.
 */
final class Latencies {
    static final double FIRST_MS = 0.05;
    static final double RATIO = 1.1;
    static final int BUCKETS = 130;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    void record(long nanos) {
        double ms = nanos / 1e6;
        int bucket = ms <= FIRST_MS ? 0 : (int) Math.ceil(Math.log(ms / FIRST_MS) / Math.log(RATIO));
        counts.incrementAndGet(Math.min(BUCKETS - 1, Math.max(0, bucket)));
    }

    /** The upper bound of bucket i, in milliseconds. */
    static double upperMs(int bucket) {
        return FIRST_MS * Math.pow(RATIO, bucket);
    }

    /**
     * The quantile q (0 < q ≤ 1) of the durations counted between two readings of the counts, as the upper bound of
     * the bucket it falls in (so within 10% above the true value); NaN when nothing was counted.
     */
    static double quantileMs(long[] before, long[] after, double q) {
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) total += after[i] - before[i];
        if (total == 0) return Double.NaN;
        long rank = Math.max(1, (long) Math.ceil(q * total - 1e-9));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += after[i] - before[i];
            if (seen >= rank) return upperMs(i);
        }
        return upperMs(BUCKETS - 1);
    }

    void write(ObjectNode latency) {
        latency.put("firstBucketMs", FIRST_MS).put("bucketRatio", RATIO);
        var array = latency.putArray("counts");
        for (int i = 0; i < BUCKETS; i++) array.add(counts.get(i));
    }
}
