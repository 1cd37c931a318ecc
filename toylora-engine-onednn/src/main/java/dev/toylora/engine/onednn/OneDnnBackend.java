package dev.toylora.engine.onednn;

import dev.toylora.nativekernels.NativeBackend;
import dev.toylora.nativekernels.NativeKernels;
import dev.toylora.nativekernels.Sgemm;

/**
 * The engine on oneDNN's sgemm, in float32: the model of {@code toylora-model} on the shared {@link NativeKernels}, the
 * products by kernels oneDNN generates for the CPU; listed in META-INF/services as {@code onednn}.
 */
public final class OneDnnBackend extends NativeBackend {
    public OneDnnBackend() {}

    @Override
    public String name() {
        return "onednn";
    }

    /** Above openblas: it ran faster (docs/speed.md), so with both jars present it is chosen. */
    @Override
    public int rank() {
        return 110;
    }

    @Override
    protected String library() {
        return "oneDNN";
    }

    @Override
    protected void load() {
        OneDnn.load();
    }

    @Override
    protected Sgemm sgemm() {
        return OneDnn::sgemm;
    }

    @Override
    protected String running() {
        return OneDnn.isa() + " kernels, " + workers() + " × 1 OpenMP thread";
    }
}
