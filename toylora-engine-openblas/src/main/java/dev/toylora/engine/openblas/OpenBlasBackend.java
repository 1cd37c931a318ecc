package dev.toylora.engine.openblas;

import dev.toylora.model.ModelBackend;
import dev.toylora.model.kernel.Kernels;

/**
 * The engine on OpenBLAS's sgemm, in float32: the model of {@code toylora-model} on {@link OpenBlasKernels}; listed in
 * META-INF/services as {@code openblas}. When the native library cannot load (a platform the jar carries no binary for,
 * a missing JavaCPP jar, an unwritable cache), the reason is logged once and {@link #unavailableReason()} gives it, so
 * that {@code Backends.get("openblas")} refuses the engine before anything trains.
 */
public final class OpenBlasBackend extends ModelBackend {
    public OpenBlasBackend() {}

    @Override
    public String name() {
        return "openblas";
    }

    /** Native BLAS: preferred whenever its library loads. */
    @Override
    public int rank() {
        return 100;
    }

    @Override
    public String version() {
        String library = "OpenBLAS " + openBlasVersion(property("openblas")) + " via JavaCPP " + property("javacpp") + ", " + property("platform");
        String version = property("version") + " numerics " + property("numerics");
        if (!available()) return version + " (" + library + ": unavailable)";
        int threads = NativeBlas.threads();
        return version + " (" + library + ", " + Parallel.workers() + (Parallel.workers() == 1 ? " worker" : " workers") + " × "
                + (threads > 0 ? threads + (threads == 1 ? " BLAS thread" : " BLAS threads") : "OPENBLAS_NUM_THREADS BLAS threads") + ")";
    }

    @Override
    public String unavailableReason() {
        return Availability.REASON;
    }

    /** New kernels for each network: they hold a product back for the next call (see {@link OpenBlasKernels}). */
    @Override
    protected Kernels kernels() {
        if (!available()) throw new IllegalStateException("the openblas engine cannot run here: " + unavailableReason());
        return new OpenBlasKernels();
    }

    /** The OpenBLAS part of the preset's version "0.3.31-1.5.13". */
    private static String openBlasVersion(String presetVersion) {
        int dash = presetVersion.indexOf('-');
        return dash > 0 ? presetVersion.substring(0, dash) : presetVersion;
    }

    /** The native library, loaded and checked once, on first use; the reason it cannot be, logged once. */
    private static final class Availability {
        static final String REASON = probe();

        private static String probe() {
            try {
                NativeBlas.load();
                return "";
            } catch (LinkageError | RuntimeException e) {
                String reason = describe(e);
                System.getLogger(OpenBlasBackend.class.getName()).log(System.Logger.Level.WARNING, "the openblas engine is unavailable: " + reason);
                return reason;
            }
        }

        private static String describe(Throwable e) {
            StringBuilder reason = new StringBuilder("OpenBLAS did not load on ")
                    .append(System.getProperty("os.name")).append('/').append(System.getProperty("os.arch")).append(": ");
            reason.append(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
            for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
                reason.append("; caused by ").append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage());
            }
            if (e instanceof NoClassDefFoundError) {
                reason.append(" (the JavaCPP and OpenBLAS classes are missing: use the engine's shaded jar, or put org.bytedeco:javacpp and "
                        + "org.bytedeco:openblas with their " + property("platform") + " natives on the class path)");
            } else if (e instanceof UnsatisfiedLinkError) {
                reason.append(" (this engine jar carries OpenBLAS for " + property("platform")
                        + " only; build it with -Djavacpp.platform=<os-arch> for another platform)");
            }
            return reason.toString();
        }
    }

    /** This module's, OpenBLAS's and JavaCPP's Maven versions, written into engine.properties by resource filtering. */
    static String property(String key) {
        return property(OpenBlasBackend.class, key);
    }
}
