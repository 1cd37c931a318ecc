package dev.toylora.engine.openblas;

import dev.toylora.nativekernels.NativeBackend;
import dev.toylora.nativekernels.NativeKernels;
import dev.toylora.nativekernels.Sgemm;

/**
 * The engine on OpenBLAS's sgemm, in float32: the model of {@code toylora-model} on the shared {@link NativeKernels};
 * listed in META-INF/services as {@code openblas}.
 */
public final class OpenBlasBackend extends NativeBackend {
    public OpenBlasBackend() {}

    @Override
    public String name() {
        return "openblas";
    }

    /** Native BLAS: preferred over the Java engines whenever its library loads. */
    @Override
    public int rank() {
        return 100;
    }

    @Override
    protected String library() {
        return "OpenBLAS";
    }

    @Override
    protected void load() {
        NativeBlas.load();
    }

    @Override
    protected Sgemm sgemm() {
        return NativeBlas::sgemm;
    }

    @Override
    protected String running() {
        int threads = NativeBlas.threads();
        return workers() + " × "
                + (threads > 0 ? threads + (threads == 1 ? " BLAS thread" : " BLAS threads") : "OPENBLAS_NUM_THREADS BLAS threads");
    }
}
