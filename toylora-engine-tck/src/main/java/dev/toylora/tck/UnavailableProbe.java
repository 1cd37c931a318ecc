package dev.toylora.tck;

import dev.toylora.api.Backend;
import dev.toylora.api.Backends;

/**
 * Run in a child JVM by {@link NativeUnavailableContract}: what the engines on its class path say about themselves, and
 * whether the engine named by the first argument is handed out and creates a network.
 */
public final class UnavailableProbe {
    private UnavailableProbe() {}

    public static void main(String[] args) {
        String name = args[0];
        for (Backend backend : Backends.all()) {
            System.out.println("BACKEND\t" + backend.name() + "\t" + backend.available() + "\t" + backend.unavailableReason() + "\t" + backend.version());
        }
        try {
            Backends.get(name);
            System.out.println("GET\tok");
        } catch (IllegalArgumentException e) {
            System.out.println("GET\trefused\t" + e.getMessage());
        }
        Backend engine = Backends.all().stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow();
        try {
            engine.create(dev.toylora.api.NetworkSpec.mnistMlp(), 1);
            System.out.println("CREATE\tok");
        } catch (IllegalStateException e) {
            System.out.println("CREATE\trefused\t" + e.getMessage());
        }
    }
}
