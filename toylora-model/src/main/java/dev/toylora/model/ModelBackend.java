package dev.toylora.model;

import dev.toylora.api.Backend;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.Tensor;
import dev.toylora.model.kernel.Kernels;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * A {@link Backend} made of the model and an engine's {@link Kernels}: all an engine writes is its kernels and a
 * subclass naming them.
 */
public abstract class ModelBackend implements Backend {

    /** The engine's kernels; called only when the engine is {@link #available()}. */
    protected abstract Kernels kernels();

    @Override
    public final Network create(NetworkSpec spec, long seed) {
        return Mlp.initialised(spec, kernels(), seed);
    }

    @Override
    public final Network restore(NetworkSpec spec, Map<String, Tensor> weights) {
        return Mlp.restored(spec, kernels(), weights);
    }

    /**
     * A value from the {@code engine.properties} resource next to {@code type} (Maven versions written there by resource
     * filtering: a library's own manifest is lost once it is shaded into runner.jar), or "unknown".
     */
    protected static String property(Class<?> type, String key) {
        try (InputStream in = type.getResourceAsStream("engine.properties")) {
            if (in == null) return "unknown";
            Properties properties = new Properties();
            properties.load(in);
            String value = properties.getProperty(key, "unknown");
            return value.startsWith("${") ? "unknown" : value;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the engine's properties", e);
        }
    }

    @Override
    public String toString() {
        return name() + " " + version();
    }
}
