package dev.toylora.runner.serve;

import dev.toylora.api.Batch;
import dev.toylora.api.Network;
import dev.toylora.api.RowGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads that compute every answer, one per copy of the base. Requests queue their rows (one per image and model
 * asked for); a thread takes up to {@link Limits#maxBatchRows()} of them, waiting at most {@link Limits#batchWait()} for more, lays the rows
 * out grouped by adapter (or mix) and runs one pass: the base's products once for all rows, each adapter's low-rank
 * update on its own rows, all adapters stacked into two products per layer ({@link Network#logits(Batch, List, float[])}).
 */
final class Batcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Batcher.class);

    /** How a batch is computed: the point of the server, and the two things it is measured against. */
    enum Strategy {
        /** The base once for every row of the batch, each adapter's low-rank product on its rows. */
        SHARED,
        /** As SHARED, but a batch holds one request only: no batching across requests. */
        ALONE,
        /** A copy of the base with the adapter merged in, per adapter: each adapter's rows run through their own model. */
        MERGED
    }

    /** One model a request asks for: the base (no adapters), one adapter, or a weighted mix; equal keys share rows' group. */
    record Selection(String label, String key, List<Models.Loaded> adapters, List<Double> weights) {
        static Selection base() {
            return new Selection(Models.BASE, "", List.of(), List.of());
        }
    }

    /** One request: its images' features, the models it asks for, and the logits it gets (image-major per model). */
    static final class Job {
        final float[] features;
        final int images;
        final List<Selection> models;
        final long deadlineNanos;
        final CompletableFuture<float[]> answer = new CompletableFuture<>();

        Job(float[] features, int images, List<Selection> models, long deadlineNanos) {
            this.features = features;
            this.images = images;
            this.models = List.copyOf(models);
            this.deadlineNanos = deadlineNanos;
        }

        int rows() {
            return images * models.size();
        }
    }

    /** Rows {@code [first, first + rows)} of a pass and the model they run with. */
    private record Block(int first, int rows, Selection selection) {}

    private final Models models;
    private final Limits limits;
    private final Strategy strategy;
    private final int columns;
    private final int classes;
    private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger queuedRows = new AtomicInteger();
    private final AtomicLong passes = new AtomicLong();
    private final AtomicLong rowsDone = new AtomicLong();
    private final AtomicLong requestsDone = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;

    /** Starts one compute thread per copy of the base that {@code models} holds. */
    Batcher(Models models, Limits limits, Strategy strategy) {
        this.models = models;
        this.limits = limits;
        this.strategy = strategy;
        this.columns = models.spec().inputs();
        this.classes = models.spec().outputs();
        for (int w = 0; w < models.copies(); w++) {
            Worker worker = new Worker(w);
            Thread thread = new Thread(worker::loop, "toylora-batcher-" + w);
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
    }

    /** Queues a request, or refuses it (429) when the queue holds {@link Limits#maxQueueRows()} rows already. */
    void submit(Job job) {
        int rows = job.rows();
        if (rows > limits.maxBatchRows()) {
            throw ApiException.tooLarge(job.images + " images × " + job.models.size() + " models = " + rows + " rows; one request may ask for at most "
                    + limits.maxBatchRows() + " (--max-batch)");
        }
        if (closed) throw ApiException.busy("the server is shutting down");
        if (queuedRows.addAndGet(rows) > limits.maxQueueRows()) {
            queuedRows.addAndGet(-rows);
            throw ApiException.busy("the queue is full (" + limits.maxQueueRows() + " rows waiting, --max-queue); try again shortly");
        }
        queue.add(job);
    }

    int queuedRows() {
        return queuedRows.get();
    }

    long passes() {
        return passes.get();
    }

    long rowsDone() {
        return rowsDone.get();
    }

    long requestsDone() {
        return requestsDone.get();
    }

    Strategy strategy() {
        return strategy;
    }

    /** A job taken off the queue, or null when it is null or its requester has given up waiting. */
    private @Nullable Job take(@Nullable Job job) {
        if (job == null) return null;
        queuedRows.addAndGet(-job.rows());
        if (job.answer.isDone() || System.nanoTime() - job.deadlineNanos > 0) {
            job.answer.completeExceptionally(ApiException.busy("not answered within the time limit; the server is busy"));
            return null;
        }
        return job;
    }

    /** One compute thread: its own copy of the base (an engine's network is not shared between threads) and buffers. */
    private final class Worker {
        private final int copy;
        private final float[] features = new float[limits.maxBatchRows() * columns];
        private final float[] logits = new float[limits.maxBatchRows() * classes];

        Worker(int copy) {
            this.copy = copy;
        }

        void loop() {
            List<Job> batch = new ArrayList<>();
            Job carried = null;
            while (!closed) {
                batch.clear();
                try {
                    Job first = carried != null ? carried : take(queue.poll(100, TimeUnit.MILLISECONDS));
                    carried = null;
                    if (first == null) continue;
                    batch.add(first);
                    int rows = first.rows();
                    long until = System.nanoTime() + limits.batchWait().toNanos();
                    int maxRequests = strategy == Strategy.ALONE ? 1 : limits.maxBatchRequests();
                    while (rows < limits.maxBatchRows() && (maxRequests == 0 || batch.size() < maxRequests)) {
                        Job next = take(queue.poll());
                        if (next == null) {
                            long left = until - System.nanoTime();
                            if (left <= 0) break;
                            next = take(queue.poll(left, TimeUnit.NANOSECONDS));
                            if (next == null) break;
                        }
                        if (rows + next.rows() > limits.maxBatchRows()) {
                            carried = next; // first in this thread's next pass: arrival order is kept
                            break;
                        }
                        batch.add(next);
                        rows += next.rows();
                    }
                    run(batch, rows);
                } catch (InterruptedException e) {
                    if (!closed) LOG.warn("batcher interrupted; carrying on");
                } catch (RuntimeException | Error e) {
                    // An engine failure answers the requests of this pass; the server and the model carry on.
                    LOG.warn("a pass failed: {}", e.toString());
                    String message = "the engine failed on this batch: " + e;
                    for (Job job : batch) job.answer.completeExceptionally(ApiException.badRequest(message));
                }
            }
            ApiException stopping = ApiException.busy("the server is shutting down");
            if (carried != null) carried.answer.completeExceptionally(stopping);
            for (Job job; (job = queue.poll()) != null; ) job.answer.completeExceptionally(stopping);
        }

        /** Lays the jobs' rows out grouped by selection (the base's first), runs one pass and hands each job its logits. */
        private void run(List<Job> batch, int rows) {
            Map<String, List<int[]>> byKey = new LinkedHashMap<>(); // key -> (job, model) pairs
            Map<String, Selection> selections = new LinkedHashMap<>();
            selections.put("", Selection.base());
            byKey.put("", new ArrayList<>());
            for (int j = 0; j < batch.size(); j++) {
                List<Selection> asked = batch.get(j).models;
                for (int m = 0; m < asked.size(); m++) {
                    Selection s = asked.get(m);
                    selections.putIfAbsent(s.key(), s);
                    byKey.computeIfAbsent(s.key(), k -> new ArrayList<>()).add(new int[] {j, m});
                }
            }
            int[][] firstRow = new int[batch.size()][];
            for (int j = 0; j < batch.size(); j++) firstRow[j] = new int[batch.get(j).models.size()];
            List<Block> blocks = new ArrayList<>();
            int row = 0;
            for (Map.Entry<String, List<int[]>> e : byKey.entrySet()) {
                int start = row;
                for (int[] jm : e.getValue()) {
                    Job job = batch.get(jm[0]);
                    System.arraycopy(job.features, 0, features, row * columns, job.images * columns);
                    firstRow[jm[0]][jm[1]] = row;
                    row += job.images;
                }
                if (row > start) blocks.add(new Block(start, row - start, selections.get(e.getKey())));
            }
            compute(rows, blocks);
            passes.incrementAndGet();
            rowsDone.addAndGet(rows);
            for (int j = 0; j < batch.size(); j++) {
                Job job = batch.get(j);
                float[] answer = new float[job.rows() * classes];
                for (int m = 0; m < job.models.size(); m++) {
                    System.arraycopy(logits, firstRow[j][m] * classes, answer, m * job.images * classes, job.images * classes);
                }
                requestsDone.incrementAndGet();
                job.answer.complete(answer);
            }
        }

        private void compute(int rows, List<Block> blocks) {
            if (strategy == Strategy.MERGED) {
                for (Block block : blocks) {
                    Network network = mergedNetwork(block.selection());
                    // Batch rows start at 0: the block is moved to the front of a scratch buffer.
                    float[] input = new float[block.rows() * columns];
                    System.arraycopy(features, block.first() * columns, input, 0, input.length);
                    float[] out = new float[block.rows() * classes];
                    network.logits(Batch.unlabelled(input, block.rows(), columns), out);
                    System.arraycopy(out, 0, logits, block.first() * classes, out.length);
                }
                return;
            }
            List<RowGroup> groups = new ArrayList<>();
            for (Block block : blocks) {
                Selection s = block.selection();
                if (s.adapters().isEmpty()) continue; // rows in no group get the base
                List<RowGroup.Weighted> weighted = new ArrayList<>();
                for (int i = 0; i < s.adapters().size(); i++) weighted.add(new RowGroup.Weighted(s.adapters().get(i).entry(), s.weights().get(i)));
                groups.add(new RowGroup(block.first(), block.rows(), weighted));
            }
            models.network(copy).logits(Batch.unlabelled(features, rows, columns), groups, logits);
        }

        private Network mergedNetwork(Selection s) {
            if (s.adapters().isEmpty()) return models.network(copy);
            Network merged = s.adapters().size() == 1 && s.weights().get(0) == 1.0 ? s.adapters().get(0).merged().get(copy) : null;
            if (merged == null) throw ApiException.badRequest("the merged strategy serves the base and single adapters only, not '" + s.label() + "'");
            return merged;
        }
    }

    @Override
    public void close() {
        closed = true;
        threads.forEach(Thread::interrupt);
        try {
            for (Thread thread : threads) thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
