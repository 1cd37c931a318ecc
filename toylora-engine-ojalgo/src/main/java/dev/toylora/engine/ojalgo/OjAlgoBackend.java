package dev.toylora.engine.ojalgo;

import dev.toylora.model.ModelBackend;
import dev.toylora.model.kernel.Kernels;

/** The model on ojAlgo's row kernel, in float32; listed in META-INF/services as {@code ojalgo}. */
public final class OjAlgoBackend extends ModelBackend {
    /** Stateless, so every network shares it (see {@link OjAlgoKernels}). */
    private static final Kernels KERNELS = new OjAlgoKernels();

    public OjAlgoBackend() {}

    @Override
    public String name() {
        return "ojalgo";
    }

    /** Pure Java on ojAlgo: runs anywhere, preferred below a native BLAS engine. */
    @Override
    public int rank() {
        return 50;
    }

    @Override
    public String version() {
        return property(OjAlgoBackend.class, "version") + " numerics " + property(OjAlgoBackend.class, "numerics")
                + " (ojAlgo " + property(OjAlgoBackend.class, "ojalgo") + ")";
    }

    @Override
    protected Kernels kernels() {
        return KERNELS;
    }
}
