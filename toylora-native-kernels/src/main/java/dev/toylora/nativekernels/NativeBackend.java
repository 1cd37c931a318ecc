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
            String reason = LoadFailure.describe(library(), "engine-" + name() + ".jar", property("platform"), e);
            System.getLogger(getClass().getName()).log(System.Logger.Level.WARNING, "the " + name() + " engine is unavailable: " + reason);
            return reason;
        }
    }

    /** The library's part of a preset's version: "0.3.31" of "0.3.31-1.5.13". */
    private static String beforeDash(String presetVersion) {
        int dash = presetVersion.indexOf('-');
        return dash > 0 ? presetVersion.substring(0, dash) : presetVersion;
    }
}
