package dev.toylora.nativekernels;

import dev.toylora.model.ModelBackend;
import dev.toylora.model.kernel.Kernels;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An engine on the shared {@link NativeKernels}: what is left to write is the library's name, how to load and check it,
 * and its sgemm. When the native library cannot load (a platform the jar carries no binary for, a missing JavaCPP jar,
 * an unwritable cache), the reason is logged once and {@link #unavailableReason()} gives it, so that
 * {@code Backends.get(name)} refuses the engine before anything trains.
 */
public abstract class NativeBackend extends ModelBackend {
    /** Why each engine class cannot run here ("" when it can), found once per class on first use. */
    private static final Map<Class<?>, String> REASONS = new ConcurrentHashMap<>();

    /** The library as its reason and version name it: "OpenBLAS", "oneDNN". */
    protected abstract String library();

    /** Loads the native library and checks a product ({@link Sgemm#check}); throws when it cannot. */
    protected abstract void load();

    /** The product the kernels run on; called only once {@link #load} has succeeded. */
    protected abstract Sgemm sgemm();

    /** What follows the library's name in {@link #version()} once it has loaded: its threads, the kernels it chose. */
    protected abstract String running();

    /** "2 workers" (or "1 worker"): how many threads the kernels split each step over, for {@link #running()}. */
    protected static String workers() {
        int workers = NativeKernels.workers();
        return workers + (workers == 1 ? " worker" : " workers");
    }

    /** A value of the engine's {@code engine.properties} (versions written by resource filtering). */
    protected final String property(String key) {
        return property(getClass(), key);
    }

    /** "0.1.0 numerics 4 (OpenBLAS 0.3.31 via JavaCPP 1.5.13, linux-x86_64, …)", from engine.properties' library, javacpp and platform. */
    @Override
    public final String version() {
        String library = library() + " " + beforeDash(property("library")) + " via JavaCPP " + property("javacpp") + ", " + property("platform");
        String version = property("version") + " numerics " + property("numerics");
        return available() ? version + " (" + library + ", " + running() + ")" : version + " (" + library + ": unavailable)";
    }

    @Override
    public final String unavailableReason() {
        return REASONS.computeIfAbsent(getClass(), type -> probe());
    }

    /** New kernels for each network: they hold a product back for the next call (see {@link NativeKernels}). */
    @Override
    protected final Kernels kernels() {
        if (!available()) throw new IllegalStateException("the " + name() + " engine cannot run here: " + unavailableReason());
        return new NativeKernels(sgemm());
    }

    private String probe() {
        try {
            load();
            return "";
        } catch (LinkageError | RuntimeException e) {
            String reason = describe(library(), "engine-" + name() + ".jar", property("platform"), e);
            System.getLogger(getClass().getName()).log(System.Logger.Level.WARNING, "the " + name() + " engine is unavailable: " + reason);
            return reason;
        }
    }

    /**
     * "{library} did not load on linux/amd64: UnsatisfiedLinkError: …; caused by …", with a hint for the two usual causes:
     * the library's classes missing from the class path, or no binary for this platform in the jar.
     */
    private static String describe(String library, String engineJar, String platform, Throwable e) {
        StringBuilder reason = new StringBuilder(library).append(" did not load on ")
                .append(System.getProperty("os.name")).append('/').append(System.getProperty("os.arch")).append(": ");
        reason.append(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            reason.append("; caused by ").append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage());
        }
        if (e instanceof NoClassDefFoundError) {
            reason.append(" (the JavaCPP and ").append(library).append(" classes are missing: use the engine's shaded jar, ")
                    .append(engineJar).append(", or put JavaCPP and its ").append(library).append(" preset with their ")
                    .append(platform).append(" natives on the class path)");
        } else if (e instanceof UnsatisfiedLinkError) {
            reason.append(" (this engine jar carries ").append(library).append(" for ").append(platform)
                    .append(" only; build it with -Djavacpp.platform=<os-arch> for another platform)");
        }
        return reason.toString();
    }

    /** The library's part of a preset's version: "0.3.31" of "0.3.31-1.5.13". */
    private static String beforeDash(String presetVersion) {
        int dash = presetVersion.indexOf('-');
        return dash > 0 ? presetVersion.substring(0, dash) : presetVersion;
    }
}
