package dev.toylora.engine.onednn;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Test;

/**
 * A thread multiplying through oneDNN while it is sent signals (SIGPIPE, which the JVM handles by ignoring it): without the
 * signals held, this corrupted the native heap and the JVM died within seconds; with them held, every product is right.
 */
class SignalsDuringProductsTest {
    private static final long SYS_GETTID = 186;
    private static final long SYS_TGKILL = 234;
    private static final int SIGPIPE = 13;

    private interface C extends Library {
        long syscall(long number, Object... arguments);
    }

    private static final C LIBC = Native.load("c", C.class);

    private static long syscall(long number, Object... arguments) {
        return LIBC.syscall(number, arguments);
    }

    @Test
    void productsStayRightWhileTheThreadIsSignalled() throws Exception {
        assertTrue(new OneDnnBackend().available(), new OneDnnBackend().unavailableReason());
        int n = 192;
        AtomicInteger tid = new AtomicInteger();
        AtomicInteger products = new AtomicInteger();
        AtomicReference<String> wrong = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        long until = System.nanoTime() + 2_000_000_000L;
        Thread worker = new Thread(() -> {
            tid.set((int) syscall(SYS_GETTID));
            started.countDown();
            float[] ones = new float[n * n];
            float[] halves = new float[n * n];
            java.util.Arrays.fill(ones, 1f);
            java.util.Arrays.fill(halves, 0.5f);
            FloatPointer a = new FloatPointer(ones);
            FloatPointer b = new FloatPointer(halves);
            FloatPointer c = new FloatPointer((long) n * n);
            while (System.nanoTime() < until && wrong.get() == null) {
                OneDnn.sgemm(products.get() % 2 == 0, true, n, n, n, 1f, a, n, b, n, 0f, c, n);
                if (c.get(n * n - 1) != n * 0.5f || c.get(0) != n * 0.5f) wrong.set("c = " + c.get(0) + " … " + c.get(n * n - 1));
                products.incrementAndGet();
            }
        }, "signalled-products");
        worker.start();
        started.await();
        long pid = ProcessHandle.current().pid();
        int sent = 0;
        while (worker.isAlive()) {
            if (syscall(SYS_TGKILL, pid, (long) tid.get(), (long) SIGPIPE) == 0) sent++;
            Thread.sleep(0, 500_000);
        }
        assertNull(wrong.get());
        assertTrue(sent > 500 && products.get() > 100, sent + " signals, " + products.get() + " products");
    }
}
