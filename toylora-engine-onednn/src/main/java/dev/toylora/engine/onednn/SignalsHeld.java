package dev.toylora.engine.onednn;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * Asynchronous signals held back from the calling thread while oneDNN multiplies. A signal handled on a thread inside
 * oneDNN's generated sgemm code corrupted the native heap: Java Flight Recorder's sampling, or 2,000 SIGPIPEs a second
 * sent to the thread, aborted a run within seconds, where the OpenBLAS engine ran on (docs/engines.md). Held, a signal is
 * handled as soon as the product returns. Faults (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP) are never held.
 */
final class SignalsHeld {
    private SignalsHeld() {}

    private static final int SIG_BLOCK = 0;
    private static final int SIG_SETMASK = 2;
    /** sigset_t is 1024 bits on Linux. */
    private static final int SIGSET_BYTES = 128;
    private static final int[] FAULTS = {4, 5, 7, 8, 11};

    static {
        Native.register(NativeLibrary.getInstance("c"));
    }

    private static native int sigfillset(Pointer set);

    private static native int sigdelset(Pointer set, int signal);

    private static native int pthread_sigmask(int how, Pointer set, Pointer old);

    private static final Memory HELD = held();
    private static final ThreadLocal<Memory> BEFORE = ThreadLocal.withInitial(() -> new Memory(SIGSET_BYTES));

    private static Memory held() {
        Memory set = new Memory(SIGSET_BYTES);
        if (sigfillset(set) != 0) throw new IllegalStateException("sigfillset failed");
        for (int fault : FAULTS) sigdelset(set, fault);
        return set;
    }

    /** Holds the asynchronous signals on this thread; returns the mask to {@link #restore} when the product is done. */
    static Memory hold() {
        Memory before = BEFORE.get();
        if (pthread_sigmask(SIG_BLOCK, HELD, before) != 0) throw new IllegalStateException("pthread_sigmask failed");
        return before;
    }

    /** Restores the signal mask {@link #hold} saved: held signals are handled now. */
    static void restore(Memory before) {
        if (pthread_sigmask(SIG_SETMASK, before, null) != 0) throw new IllegalStateException("pthread_sigmask failed");
    }
}
