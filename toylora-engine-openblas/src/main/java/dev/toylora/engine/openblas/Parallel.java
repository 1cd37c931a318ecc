package dev.toylora.engine.openblas;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Two pieces of work at once: the calling thread runs the first while one helper thread (a daemon shared by the
 * engine) runs the second — in the kernels, the two halves of a product, an epilogue or an Adam update. The second is <em>claimed</em>, not assigned: if the helper has not started it by the time
 * the caller is done with the first — on a machine whose cores are busy with other work, say — the caller runs it
 * itself. So a step never waits on a thread that is not running, and a busy machine costs at worst the serial time
 * (OpenBLAS's own threads, by contrast, spin while they wait for each other and lose 7–40× there). The results are
 * the same whichever thread runs what.
 */
final class Parallel {
    private Parallel() {}

    private static final boolean ENABLED = Runtime.getRuntime().availableProcessors() > 1
            && !"1".equals(System.getProperty("toylora.openblas.workers", "").trim());
    private static final AtomicBoolean IN_USE = new AtomicBoolean();
    private static volatile boolean disabledForTests;
    private static @Nullable Helper helper;

    /** Runs {@code first} and {@code second}, at once when a helper is free; returns when both are done. */
    static void both(Runnable first, Runnable second) {
        halves(half -> (half == 0 ? first : second).run());
    }

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

    /** Where half 0 or 1 of {@code n} things starts: the lower half is [0, n/2), the upper [n/2, n). */
    static int start(int n, int half) {
        return half == 0 ? 0 : n / 2;
    }

    /** Where half 0 or 1 of {@code n} things ends. */
    static int end(int n, int half) {
        return half == 0 ? n / 2 : n;
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
            thread = new Thread(this, "toylora-openblas-helper");
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
