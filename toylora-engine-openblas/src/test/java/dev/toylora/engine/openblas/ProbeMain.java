package dev.toylora.engine.openblas;

import dev.toylora.api.Backend;
import dev.toylora.api.Backends;

/** Run in a child JVM by {@link NativeUnavailableTest}: what the engines on its class path say about themselves. */
public final class ProbeMain {
    private ProbeMain() {}

    public static void main(String[] args) {
        for (Backend backend : Backends.all()) {
            System.out.println("BACKEND\t" + backend.name() + "\t" + backend.available() + "\t" + backend.unavailableReason() + "\t" + backend.version());
        }
        try {
            Backends.get("openblas");
            System.out.println("GET\tok");
        } catch (IllegalArgumentException e) {
            System.out.println("GET\trefused\t" + e.getMessage());
        }
        try {
            new OpenBlasBackend().create(dev.toylora.api.NetworkSpec.mnistMlp(), 1);
            System.out.println("CREATE\tok");
        } catch (IllegalStateException e) {
            System.out.println("CREATE\trefused\t" + e.getMessage());
        }
    }
}
