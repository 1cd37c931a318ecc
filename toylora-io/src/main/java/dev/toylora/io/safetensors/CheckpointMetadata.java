package dev.toylora.io.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a checkpoint says about itself in {@code __metadata__}: which kind of file it is, the LoRA
 * settings an adapter needs to be rebuilt, the classes it was trained on, and a hash of the base
 * weights an adapter belongs to.
 */
public final class CheckpointMetadata {
    public static final String KIND = "toylora.kind";
    public static final String BASE_SHA256 = "toylora.base-sha256";
    public static final String OLD_CLASSES = "toylora.old-classes";
    public static final String NEW_CLASSES = "toylora.new-classes";
    public static final String DATASET = "toylora.dataset";
    public static final String DROPOUT = "toylora.model-dropout";
    /** The name of each class, index = label, as a JSON array of strings (image folders' names may hold commas). */
    public static final String CLASS_NAMES = "toylora.class-names";
    /** The mean and standard deviation that standardised the training pixels ({@code (b/255 − mean)/std}). */
    public static final String DATA_MEAN = "toylora.data-mean";
    public static final String DATA_STD = "toylora.data-std";
    /** Where the data was read from (an experiment's data.dir), for commands that evaluate the checkpoint again. */
    public static final String DATA_DIR = "toylora.data-dir";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private CheckpointMetadata() {}

    public static Map<String, String> lora(LoraSpec spec) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("lora.rank", String.valueOf(spec.rank()));
        meta.put("lora.alpha", String.valueOf(spec.alpha()));
        meta.put("lora.targets", String.join(",", spec.targets()));
        meta.put("lora.bias", String.valueOf(spec.trainBias()));
        meta.put("lora.dropout", String.valueOf(spec.dropout()));
        meta.put("lora.rslora", String.valueOf(spec.rsLora()));
        return meta;
    }

    public static LoraSpec loraSpec(Map<String, String> meta, String source) {
        try {
            return new LoraSpec(Integer.parseInt(required(meta, "lora.rank", source)), Double.parseDouble(required(meta, "lora.alpha", source)),
                    List.of(required(meta, "lora.targets", source).split(",")), Boolean.parseBoolean(meta.getOrDefault("lora.bias", "false")),
                    Double.parseDouble(meta.getOrDefault("lora.dropout", "0")), Boolean.parseBoolean(meta.getOrDefault("lora.rslora", "false")));
        } catch (NumberFormatException e) {
            throw new CheckpointException(source + ": __metadata__ holds a malformed LoRA setting: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(source + ": __metadata__ describes an invalid adapter: " + e.getMessage());
        }
    }

    /** {@link #CLASS_NAMES}'s value for {@code names}. */
    public static String classNames(List<String> names) {
        try {
            return JSON.writeValueAsString(names);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write class names as JSON", e);
        }
    }

    /** The class names a checkpoint records, if it records them. */
    public static Optional<List<String>> classNames(Map<String, String> meta, String source) {
        String value = meta.get(CLASS_NAMES);
        if (value == null) return Optional.empty();
        try {
            return Optional.of(List.of(JSON.readValue(value, String[].class)));
        } catch (JsonProcessingException | NullPointerException e) {
            throw new CheckpointException(source + ": __metadata__." + CLASS_NAMES + " must be a JSON array of class names, got '" + value + "'");
        }
    }

    public static String classes(List<Integer> classes) {
        return String.join(",", classes.stream().map(String::valueOf).toList());
    }

    public static List<Integer> classes(Map<String, String> meta, String key, String source) {
        String value = required(meta, key, source);
        try {
            return Arrays.stream(value.split(",")).map(String::trim).map(Integer::valueOf).toList();
        } catch (NumberFormatException e) {
            throw new CheckpointException(source + ": __metadata__." + key + " must be a comma-separated list of classes, got '" + value + "'");
        }
    }

    /** The MLP a base checkpoint holds, read from its tensor shapes (fc1.weight [out, in], …). */
    public static NetworkSpec networkSpec(Map<String, Tensor> weights, double dropout, String source) {
        List<Integer> widths = new ArrayList<>();
        int inputs = -1;
        for (int layer = 1; weights.containsKey("fc" + layer + ".weight"); layer++) {
            Tensor w = weights.get("fc" + layer + ".weight");
            if (w.rank() != 2) throw new CheckpointException(source + ": fc" + layer + ".weight must be a matrix [out, in]");
            if (layer == 1) inputs = w.dim(1);
            widths.add(w.dim(0));
        }
        if (widths.size() < 2) throw new CheckpointException(source + ": expected tensors fc1.weight, fc2.weight, … of an MLP, found " + new TreeMap<>(weights).keySet());
        return new NetworkSpec(inputs, widths.subList(0, widths.size() - 1), widths.get(widths.size() - 1), dropout);
    }

    /** SHA-256 over names, shapes and little-endian values, in name order: identifies a base's weights. */
    public static String weightsSha256(Map<String, Tensor> weights) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (var e : new TreeMap<>(weights).entrySet()) {
                digest.update(e.getKey().getBytes(StandardCharsets.UTF_8));
                digest.update(Arrays.toString(e.getValue().shape()).getBytes(StandardCharsets.UTF_8));
                ByteBuffer bytes = ByteBuffer.allocate(e.getValue().data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
                bytes.asFloatBuffer().put(e.getValue().data());
                digest.update(bytes);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String required(Map<String, String> meta, String key, String source) {
        String value = meta.get(key);
        if (value == null) throw new CheckpointException(source + ": __metadata__ lacks '" + key + "'; was it written by ToyLoRA?");
        return value;
    }
}
