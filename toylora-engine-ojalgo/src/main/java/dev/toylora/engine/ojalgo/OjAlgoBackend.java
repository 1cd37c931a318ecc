package dev.toylora.engine.ojalgo;

import dev.toylora.api.Backend;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/** The engine on ojAlgo's row kernel, in float32; listed in META-INF/services as {@code ojalgo}. */
public final class OjAlgoBackend implements Backend {
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
        return property("version") + " numerics " + property("numerics") + " (ojAlgo " + property("ojalgo") + ")";
    }

    @Override
    public Network create(NetworkSpec spec, long seed) {
        return MlpNetwork.initialised(spec, seed);
    }

    @Override
    public Network restore(NetworkSpec spec, Map<String, Tensor> weights) {
        return MlpNetwork.restored(spec, weights);
    }

    /**
     * This module's and ojAlgo's Maven versions, written into engine.properties by resource filtering
     * (ojAlgo's own manifest is lost when it is shaded into runner.jar).
     */
    private static String property(String key) {
        try (InputStream in = OjAlgoBackend.class.getResourceAsStream("engine.properties")) {
            if (in == null) return "unknown";
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty(key, "unknown");
            return version.startsWith("${") ? "unknown" : version;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the engine's version", e);
        }
    }

    @Override
    public String toString() {
        return "ojalgo " + version();
    }
}
