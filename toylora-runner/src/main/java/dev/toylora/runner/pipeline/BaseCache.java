package dev.toylora.runner.pipeline;

import dev.toylora.api.Tensor;
import dev.toylora.io.safetensors.CheckpointException;
import dev.toylora.io.safetensors.Safetensors;
import dev.toylora.runner.io.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pretrained bases kept by the hash of everything that produced them (model, pretrain settings,
 * data checksums, validation split, seed, backend), so a sweep or a second run pretrains once.
 */
public final class BaseCache {
    private static final Logger log = LoggerFactory.getLogger(BaseCache.class);

    private final Path dir;

    public BaseCache(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** A stable key for the map of inputs (serialised with sorted keys, then SHA-256). */
    public static String key(Map<String, Object> producedBy) {
        try {
            byte[] canonical = Json.canonical(new TreeMap<>(producedBy)).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical)).substring(0, 24);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash the base's inputs", e);
        }
    }

    public Path file(String key) {
        return dir.resolve("base-" + key + ".safetensors");
    }

    public Optional<Safetensors.Checkpoint> load(String key) {
        Path file = file(key);
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            return Optional.of(Safetensors.read(file));
        } catch (CheckpointException e) {
            log.warn("ignoring an unreadable cached base ({}); it will be pretrained again", e.getMessage());
            return Optional.empty();
        }
    }

    public void store(String key, Map<String, Tensor> weights, Map<String, String> metadata) {
        Safetensors.write(file(key), weights, metadata);
    }
}
