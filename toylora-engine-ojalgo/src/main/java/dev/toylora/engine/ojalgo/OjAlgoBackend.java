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
import org.ojalgo.OjAlgoUtils;

/** The engine on ojAlgo's dense double-precision stores; listed in META-INF/services as {@code ojalgo}. */
public final class OjAlgoBackend implements Backend {
    /** What ojAlgo's jar manifest reports when it cannot be read (the version this engine is built against). */
    private static final String OJALGO_BUILT_AGAINST = "57.1.0";

    public OjAlgoBackend() {}

    @Override
    public String name() {
        return "ojalgo";
    }

    @Override
    public String version() {
        return engineVersion() + " (ojAlgo " + ojAlgoVersion() + ")";
    }

    @Override
    public Network create(NetworkSpec spec, long seed) {
        return MlpNetwork.initialised(spec, seed);
    }

    @Override
    public Network restore(NetworkSpec spec, Map<String, Tensor> weights) {
        return MlpNetwork.restored(spec, weights);
    }

    private static String ojAlgoVersion() {
        String version = OjAlgoUtils.getVersion();
        return version == null || version.isBlank() ? OJALGO_BUILT_AGAINST : version;
    }

    /** This module's Maven version, written into engine.properties by resource filtering. */
    private static String engineVersion() {
        try (InputStream in = OjAlgoBackend.class.getResourceAsStream("engine.properties")) {
            if (in == null) return "unknown";
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version", "unknown");
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
