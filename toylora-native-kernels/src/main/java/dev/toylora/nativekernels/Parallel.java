package dev.toylora.nativekernels;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Two pieces of work at once: the calling thread runs the first while one helper thread (a daemon shared by the
 * engine) runs the second — in the kernels, the two halves of a {@link Batch}. The second is <em>claimed</em>, not
 * assigned: if the helper has not started it by the time the caller is done with the first — on a machine whose cores
 * are busy with other work, say — the caller runs it itself. So a step never waits for the helper to be scheduled, only
 * for a half it has started (OpenBLAS's own threads, by contrast, spin while they wait for each other, ruinous when the
 * cores are shared). The results are the same whichever thread runs what.
 */
final class Parallel {
    private Parallel() {}

    private static final boolean ENABLED = Runtime.getRuntime().availableProcessors() > 1
            && !"1".equals(System.getProperty("toylora.native.workers", "").trim());
    private static final AtomicBoolean IN_USE = new AtomicBoolean();
    private static volatile boolean disabledForTests;
    private static @Nullable Helper helper;

    /** Runs {@code half.accept(0)} and {@code half.accept(1)}, at once when a helper is free; returns when both are done. */
    static void halves(IntConsumer half) {
        if (!ENABLED || disabledForTests || !IN_USE.compareAndSet(false, true)) {
            half.accept(0);
            half.accept(1);
            return;
        }
        try {
            helper().runBoth(half);
        } finally {
            IN_USE.set(false);
        }
    }

    /** The part of some work that is all of it, beside halves 0 and 1. */
    static final int WHOLE = -1;

    /** Where half 0 or 1 (or the {@link #WHOLE}) of {@code n} things starts: the lower half is [0, n/2), the upper [n/2, n). */
    static int start(int n, int part) {
        return part == 1 ? n / 2 : 0;
    }

    /** Where half 0 or 1 (or the {@link #WHOLE}) of {@code n} things ends. */
    static int end(int n, int part) {
        return part == 0 ? n / 2 : n;
    }

    /**
     * How an op touches a matrix: reading or writing it, anywhere or only within its own half of the matrix — the half
     * every op of that half touches of a matrix of that shape (the kernels split a shape one way only).
     */
    record Access(Object matrix, boolean writes, boolean withinHalf) {
        /** Whether an op touching this must wait for one that touched {@code other}. */
        boolean dependsOn(Access other) {
            return matrix == other.matrix && (writes || other.writes) && !(withinHalf && other.withinHalf);
        }
    }

    static Access reads(Object matrix) {
        return new Access(matrix, false, false);
    }

    static Access readsHalf(Object matrix) {
        return new Access(matrix, false, true);
    }

    static Access writes(Object matrix) {
        return new Access(matrix, true, false);
    }

    static Access writesHalf(Object matrix) {
        return new Access(matrix, true, true);
    }

    /**
     * Ops queued to run in one hand-off. Each op comes in two halves; when the batch runs, the calling thread runs the
     * first half of every op in queue order while the helper runs the second half of every op in queue order. That is
     * right as long as no op depends on the other half of one before it: an op that touches a matrix another op of the
     * batch writes (or writes one it reads) runs the batch first — unless both touch it only within their own half of it,
     * where queue order on each thread is enough. A batch of less work than its threshold runs each op whole, on the
     * calling thread. Not thread-safe: one per network.
     */
    static final class Batch {
        /** One op: {@code part} runs half 0 or 1 of it, or all of it ({@link #WHOLE}); {@code touches}, what it reads and writes (nulls are none). */
        private record Op(IntConsumer part, @Nullable Access[] touches) {}

        private final List<Op> ops = new ArrayList<>();
        private final long splitFrom;
        private long work;

        /** @param splitFrom the least work worth a hand-off, in whatever unit {@link #add} is given */
        Batch(long splitFrom) {
            this.splitFrom = splitFrom;
        }

        /** Queues an op of {@code work}, running the batch first when the op depends on any of it; null accesses are none. */
        void add(long work, IntConsumer part, @Nullable Access... touches) {
            if (dependsOnQueued(touches)) run();
            ops.add(new Op(part, touches));
            this.work += work;
        }

        private boolean dependsOnQueued(@Nullable Access[] touches) {
            for (Op queued : ops) {
                for (Access mine : touches) {
                    if (mine == null) continue;
                    for (Access theirs : queued.touches()) {
                        if (theirs != null && mine.dependsOn(theirs)) return true;
                    }
                }
            }
            return false;
        }

        /** Runs what is queued, and empties the batch. */
        void run() {
            if (ops.isEmpty()) return;
            Op[] queued = ops.toArray(new Op[0]);
            boolean split = work >= splitFrom;
            ops.clear();
            work = 0;
            if (split) {
                halves(half -> {
                    for (Op op : queued) op.part().accept(half);
                });
            } else {
                for (Op op : queued) op.part().accept(WHOLE);
            }
        }
    }

    /** How many threads a step uses. */
    static int workers() {
        return ENABLED ? 2 : 1;
    }

    /** For tests: run everything on the calling thread (the results must not change). */
    static void serialForTests(boolean serial) {
        disabledForTests = serial;
    }

    private static synchronized Helper helper() {
        Helper h = helper;
        if (h == null) helper = h = new Helper();
        return h;
    }

    private static final class Helper implements Runnable {
        private static final int IDLE = 0, POSTED = 1, TAKEN = 2, DONE = 3;
        private static final int SPINS = 2_000;

        private final AtomicInteger state = new AtomicInteger(IDLE);
        private final Thread thread;
        private volatile @Nullable IntConsumer task;
        private volatile @Nullable Thread caller;
        private volatile @Nullable Throwable failure;

        Helper() {
            thread = new Thread(this, "toylora-native-kernels-helper");
            thread.setDaemon(true);
            thread.start();
        }

        void runBoth(IntConsumer half) {
            task = half;
            failure = null;
            caller = Thread.currentThread();
            state.set(POSTED);
            LockSupport.unpark(thread);
            Throwable thrown = null;
            try {
                half.accept(0);
            } catch (RuntimeException | Error e) {
                thrown = e;
            }
            if (state.compareAndSet(POSTED, TAKEN)) {
                // The helper has not started: do it here rather than wait for it to be scheduled.
                state.set(IDLE);
                task = null;
                if (thrown == null) half.accept(1);
            } else {
                awaitDone();
                Throwable helperFailure = failure;
                state.set(IDLE);
                task = null;
                if (thrown == null && helperFailure != null) thrown = helperFailure;
            }
            if (thrown instanceof RuntimeException e) throw e;
            if (thrown instanceof Error e) throw e;
        }

        private void awaitDone() {
            for (int i = 0; i < SPINS && state.get() != DONE; i++) Thread.onSpinWait();
            while (state.get() != DONE) LockSupport.park(this);
        }

        @Override
        public void run() {
            while (true) {
                for (int i = 0; i < SPINS && state.get() != POSTED; i++) Thread.onSpinWait();
                while (state.get() != POSTED) LockSupport.park(this);
                if (!state.compareAndSet(POSTED, TAKEN)) continue;   // the caller took it
                IntConsumer work = task;
                try {
                    if (work != null) work.accept(1);
                } catch (RuntimeException | Error e) {
                    failure = e;
                }
                state.set(DONE);
                Thread waiting = caller;
                if (waiting != null) LockSupport.unpark(waiting);
            }
        }
    }
}
