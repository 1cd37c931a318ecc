package dev.toylora.runner.serve;

import java.time.Duration;

/**
 * Every bound the server keeps, so that no request can make it use unbounded memory, time or threads.
 *
 * @param maxBodyBytes      largest request body (JSON or an uploaded adapter)
 * @param maxImages         images in one predict request
 * @param maxModels         models (base, adapters, mixes) one predict request asks for
 * @param maxBatchRows      rows (image × model) in one pass of the base; also the most one request may ask for
 * @param maxBatchRequests  requests in one pass; 0 = as many as fit, 1 = every request alone (no batching across requests)
 * @param maxQueueRows      rows waiting for a pass; beyond it a request is refused with 429
 * @param batchWait         how long the batcher waits for more rows once it has some
 * @param timeout           how long a request may wait for its answer
 * @param threads           HTTP handler threads (each holds one request in flight)
 * @param computeThreads    threads computing passes, each with its own copy of the base
 * @param maxAdapters       adapters loaded at once
 * @param maxImageSide      widest or tallest picture decoded, in pixels (a small PNG can unpack to a huge one)
 */
record Limits(int maxBodyBytes, int maxImages, int maxModels, int maxBatchRows, int maxBatchRequests, int maxQueueRows,
              Duration batchWait, Duration timeout, int threads, int computeThreads, int maxAdapters, int maxImageSide) {

    Limits {
        positive("maxBodyBytes", maxBodyBytes);
        positive("maxImages", maxImages);
        positive("maxModels", maxModels);
        positive("maxBatchRows", maxBatchRows);
        if (maxBatchRequests < 0) throw new IllegalArgumentException("maxBatchRequests must be >= 0, got " + maxBatchRequests);
        if (maxQueueRows < maxBatchRows) {
            throw new IllegalArgumentException("the queue (" + maxQueueRows + " rows) must hold at least one full batch (" + maxBatchRows + " rows)");
        }
        if (batchWait.isNegative()) throw new IllegalArgumentException("batch wait must be >= 0, got " + batchWait);
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be > 0, got " + timeout);
        positive("threads", threads);
        positive("computeThreads", computeThreads);
        positive("maxAdapters", maxAdapters);
        positive("maxImageSide", maxImageSide);
    }

    static Limits defaults() {
        return new Limits(8 << 20, 256, 16, 256, 0, 4096, Duration.ofMillis(2), Duration.ofSeconds(5), 32,
                Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())), 32, 2048);
    }

    Limits withBatching(int rows, int requests, Duration wait) {
        return new Limits(maxBodyBytes, maxImages, maxModels, rows, requests, Math.max(maxQueueRows, rows), wait, timeout, threads, computeThreads, maxAdapters, maxImageSide);
    }

    private static void positive(String name, long value) {
        if (value < 1) throw new IllegalArgumentException(name + " must be >= 1, got " + value);
    }
}
