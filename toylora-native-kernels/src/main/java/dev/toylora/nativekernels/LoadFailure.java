package dev.toylora.nativekernels;

/** Why a native library did not load, in one line, for an engine's {@code unavailableReason()}. */
public final class LoadFailure {
    private LoadFailure() {}

    /**
     * "{library} did not load on linux/amd64: UnsatisfiedLinkError: …; caused by …", with a hint for the two usual causes:
     * the library's classes missing from the class path, or no binary for this platform in the jar.
     */
    public static String describe(String library, String engineJar, String platform, Throwable e) {
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
}
