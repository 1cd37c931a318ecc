package dev.toylora.engine.java;

import dev.toylora.model.ModelBackend;
import dev.toylora.model.kernel.Kernels;

/** The reference engine, plain Java loops; listed in META-INF/services as {@code java}. Ranked last: it is the slowest. */
public final class JavaBackend extends ModelBackend {
    private static final Kernels KERNELS = new JavaKernels();

    public JavaBackend() {}

    @Override
    public String name() {
        return "java";
    }

    @Override
    public String version() {
        return property(JavaBackend.class, "version") + " numerics " + property(JavaBackend.class, "numerics") + " (plain Java loops)";
    }

    /** Below every other engine: chosen only when it is the one on the class path. */
    @Override
    public int rank() {
        return 10;
    }

    @Override
    protected Kernels kernels() {
        return KERNELS;
    }
}
