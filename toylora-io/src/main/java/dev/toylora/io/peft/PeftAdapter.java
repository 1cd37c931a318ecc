package dev.toylora.io.peft;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Tensor;
import dev.toylora.io.files.AtomicFiles;
import dev.toylora.io.safetensors.CheckpointException;
import dev.toylora.io.safetensors.CheckpointMetadata;
import dev.toylora.io.safetensors.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A LoRA adapter in the on-disk form of Hugging Face PEFT ({@code PeftModel.save_pretrained}), so that PEFT can load
 * what ToyLoRA trained and ToyLoRA what PEFT saved. A directory holding:
 * <ul>
 *   <li>{@value #CONFIG}: the {@code LoraConfig} as PEFT serialises it (its fields, JSON with sorted keys):
 *       {@code peft_type "LORA"}, {@code r}, {@code lora_alpha}, {@code target_modules}, {@code lora_dropout},
 *       {@code bias} ({@code "none"}, or {@code "lora_only"} when the adapted layers' biases train), {@code use_rslora},
 *       and PEFT's defaults for the rest ({@code fan_in_fan_out false}, {@code use_dora false}, …);</li>
 *   <li>{@value #WEIGHTS}: the tensors under PEFT's state_dict keys with the adapter name removed,
 *       {@code base_model.model.<module>.lora_A.weight} [r, in] and {@code ….lora_B.weight} [out, r], and for
 *       {@code bias="lora_only"} the trained bias as {@code base_model.model.<module>.base_layer.bias}; metadata
 *       {@code format: pt} as PEFT writes, plus ToyLoRA's own (the base it belongs to), which PEFT ignores.</li>
 * </ul>
 * Only what ToyLoRA's LoRA is can be read back: a list of target modules (not a pattern), bias "none" or
 * "lora_only", no DoRA, no per-module ranks; anything else is refused, naming the field.
 */
public final class PeftAdapter {
    /** PEFT's {@code CONFIG_NAME}. */
    public static final String CONFIG = "adapter_config.json";
    /** PEFT's {@code SAFETENSORS_WEIGHTS_NAME}. */
    public static final String WEIGHTS = "adapter_model.safetensors";
    /** The prefix of every key: the PeftModel's {@code base_model} (a LoraModel) and its {@code model}. */
    public static final String PREFIX = "base_model.model.";
    /** Set in the metadata of a checkpoint {@link #read} from a directory. */
    public static final String FORMAT = "toylora.format";

    private static final Pattern KEY = Pattern.compile(Pattern.quote(PREFIX) + "(.+?)\\.(lora_A\\.weight|lora_B\\.weight|base_layer\\.bias|bias)");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private PeftAdapter() {}

    /**
     * Writes {@code dir/adapter_config.json} and {@code dir/adapter_model.safetensors} (each whole or not at all; other
     * files in {@code dir} are left alone, as PEFT leaves them).
     *
     * @param weights         the adapter's tensors by ToyLoRA's names ({@link dev.toylora.api.Adapter#weights()})
     * @param metadata        more metadata for the safetensors file (PEFT writes {@code format: pt}; this adds to it)
     * @param baseModelName   PEFT's {@code base_model_name_or_path}: what the base is called
     */
    public static void write(Path dir, LoraSpec spec, Map<String, Tensor> weights, Map<String, String> metadata, String baseModelName) {
        Map<String, Tensor> renamed = new TreeMap<>();
        for (Map.Entry<String, Tensor> e : weights.entrySet()) renamed.put(peftKey(e.getKey()), e.getValue());
        Map<String, String> meta = new TreeMap<>(metadata);
        meta.put("format", "pt");
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new CheckpointException(dir + ": is a file; a PEFT adapter is a directory");
        AtomicFiles.write(dir.resolve(WEIGHTS), Safetensors.encode(renamed, meta));
        AtomicFiles.write(dir.resolve(CONFIG), config(spec, baseModelName));
    }

    /** The text of {@value #CONFIG} for {@code spec}. */
    public static String config(LoraSpec spec, String baseModelName) {
        ObjectNode c = JSON.createObjectNode();
        // PeftConfig's fields
        c.putNull("auto_mapping");
        c.put("base_model_name_or_path", baseModelName);
        c.put("inference_mode", true); // what PeftModel.save_pretrained writes
        c.put("peft_type", "LORA");
        c.putNull("revision");
        c.putNull("task_type");
        // LoraConfig's: the settings, then its long-standing defaults
        c.put("r", spec.rank());
        if (spec.alpha() == Math.rint(spec.alpha()) && Math.abs(spec.alpha()) < 1 << 30) c.put("lora_alpha", (int) spec.alpha());
        else c.put("lora_alpha", spec.alpha());
        c.putArray("target_modules").addAll(spec.targets().stream().map(c::textNode).toList());
        c.put("lora_dropout", spec.dropout());
        c.put("bias", spec.trainBias() ? "lora_only" : "none");
        c.put("use_rslora", spec.rsLora());
        c.put("fan_in_fan_out", false);
        c.put("init_lora_weights", true);
        c.put("use_dora", false);
        c.putNull("modules_to_save");
        c.putNull("layers_to_transform");
        c.putNull("layers_pattern");
        c.putNull("layer_replication");
        c.putObject("rank_pattern");
        c.putObject("alpha_pattern");
        c.putObject("loftq_config");
        c.putNull("megatron_config");
        c.put("megatron_core", "megatron.core");
        ObjectNode sorted = JSON.createObjectNode(); // Python's json.dumps(…, indent=2, sort_keys=True)
        new TreeMap<String, JsonNode>(toMap(c)).forEach(sorted::set);
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER).withObjectEmptySeparator("").withArrayEmptySeparator(""))
                .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE);
        try {
            return JSON.writer(printer).writeValueAsString(sorted).replace("\r\n", "\n") + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + CONFIG, e);
        }
    }

    /**
     * Reads a PEFT adapter directory as a ToyLoRA adapter checkpoint: tensors renamed to ToyLoRA's names
     * ({@code fc1.lora_A.weight}, …, {@code fc1.bias}), metadata that of the safetensors file plus
     * {@code toylora.kind = lora-adapter}, the LoRA settings of {@value #CONFIG} ({@link CheckpointMetadata#lora}) and
     * {@value #FORMAT} {@code = peft}.
     *
     * @throws CheckpointException naming the file and the field or tensor that ToyLoRA cannot take
     */
    public static Safetensors.Checkpoint read(Path dir) {
        Path configFile = dir.resolve(CONFIG);
        if (!Files.isDirectory(dir)) throw new CheckpointException(dir + ": not a directory; a PEFT adapter is a directory holding " + CONFIG + " and " + WEIGHTS);
        JsonNode config;
        try {
            config = JSON.readTree(Files.readString(configFile));
        } catch (NoSuchFileException e) {
            throw new CheckpointException(dir + ": no " + CONFIG + "; expected a PEFT adapter directory (" + CONFIG + " and " + WEIGHTS + ")");
        } catch (JsonProcessingException e) {
            throw new CheckpointException(configFile + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new CheckpointException(configFile + ": cannot read: " + e.getMessage());
        }
        LoraSpec spec = spec(config, configFile.toString());
        Path weightsFile = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(weightsFile) && Files.isRegularFile(dir.resolve("adapter_model.bin"))) {
            throw new CheckpointException(dir + ": holds adapter_model.bin (a pickled PyTorch file), which ToyLoRA does not read; save the adapter"
                    + " with safe_serialization=True (PEFT's default) to get " + WEIGHTS);
        }
        Safetensors.Checkpoint file = Safetensors.read(weightsFile);
        Map<String, Tensor> tensors = new TreeMap<>();
        for (Map.Entry<String, Tensor> e : file.tensors().entrySet()) {
            Matcher m = KEY.matcher(e.getKey());
            if (!m.matches()) {
                throw new CheckpointException(weightsFile + ": tensor '" + e.getKey() + "' is not one of a LoRA adapter's; expected "
                        + PREFIX + "<module>.lora_A.weight, ….lora_B.weight or ….base_layer.bias");
            }
            String name = m.group(1) + (m.group(2).endsWith("bias") ? ".bias" : "." + m.group(2));
            if (tensors.put(name, e.getValue()) != null) throw new CheckpointException(weightsFile + ": holds the bias of " + m.group(1) + " twice");
        }
        Map<String, String> meta = new TreeMap<>(file.metadata());
        meta.remove("format");
        meta.putAll(CheckpointMetadata.lora(spec));
        meta.put(CheckpointMetadata.KIND, "lora-adapter");
        meta.put(FORMAT, "peft");
        return new Safetensors.Checkpoint(tensors, meta);
    }

    /** The LoRA settings of a PEFT config, refusing what ToyLoRA's LoRA cannot be. Absent fields take PEFT's defaults. */
    static LoraSpec spec(JsonNode config, String source) {
        if (!config.isObject()) throw new CheckpointException(source + ": expected a JSON object of LoraConfig's fields");
        String type = config.path("peft_type").asText("");
        if (!type.equals("LORA")) throw new CheckpointException(source + ": peft_type is '" + type + "'; ToyLoRA reads LORA adapters only");
        refuseUnless(config, "use_dora", false, source, "DoRA is not ToyLoRA's LoRA");
        refuseUnless(config, "fan_in_fan_out", false, source, "ToyLoRA's layers store weights [out, in]");
        for (String field : List.of("rank_pattern", "alpha_pattern")) {
            JsonNode n = config.path(field);
            if (!n.isMissingNode() && !n.isNull() && !(n.isObject() && n.isEmpty())) {
                throw new CheckpointException(source + ": " + field + " is " + n + "; ToyLoRA gives every layer one rank and alpha (expected {})");
            }
        }
        for (String field : List.of("layers_to_transform", "modules_to_save")) {
            JsonNode n = config.path(field);
            if (!n.isMissingNode() && !n.isNull() && !(n.isArray() && n.isEmpty())) {
                throw new CheckpointException(source + ": " + field + " is " + n + "; ToyLoRA adapts the target_modules alone (expected null)");
            }
        }
        JsonNode targetsNode = config.path("target_modules");
        if (!targetsNode.isArray() || targetsNode.isEmpty()) {
            throw new CheckpointException(source + ": target_modules is " + (targetsNode.isMissingNode() ? "missing" : targetsNode.toString())
                    + "; expected the list of layer names, e.g. [\"fc1\", \"fc4\"] (a pattern is not read)");
        }
        List<String> targets = new ArrayList<>();
        targetsNode.forEach(t -> targets.add(t.asText()));
        targets.sort(Comparator.comparingInt(PeftAdapter::layerNumber).thenComparing(Comparator.naturalOrder())); // PEFT keeps a set
        String bias = config.path("bias").asText("none");
        if (!bias.equals("none") && !bias.equals("lora_only")) {
            throw new CheckpointException(source + ": bias is '" + bias + "'; ToyLoRA trains the biases of the adapted layers (\"lora_only\") or none (\"none\")");
        }
        JsonNode r = config.path("r"), alpha = config.path("lora_alpha"), dropout = config.path("lora_dropout");
        if (!r.isMissingNode() && !r.canConvertToInt()) throw new CheckpointException(source + ": r is " + r + "; expected an integer >= 1");
        if (!alpha.isMissingNode() && !alpha.isNumber()) throw new CheckpointException(source + ": lora_alpha is " + alpha + "; expected a number > 0");
        try {
            return new LoraSpec(r.isMissingNode() ? 8 : r.asInt(), alpha.isMissingNode() ? 8 : alpha.asDouble(), targets,
                    bias.equals("lora_only"), dropout.isNumber() ? dropout.asDouble() : 0.0, config.path("use_rslora").asBoolean(false));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(source + ": " + e.getMessage());
        }
    }

    /** {@code fc1.lora_A.weight} → {@code base_model.model.fc1.lora_A.weight}; {@code fc1.bias} → {@code base_model.model.fc1.base_layer.bias}. */
    static String peftKey(String name) {
        if (name.endsWith(".lora_A.weight") || name.endsWith(".lora_B.weight")) return PREFIX + name;
        if (name.endsWith(".bias")) return PREFIX + name.substring(0, name.length() - ".bias".length()) + ".base_layer.bias";
        throw new IllegalArgumentException("'" + name + "' is not a tensor of a LoRA adapter");
    }

    private static void refuseUnless(JsonNode config, String field, boolean expected, String source, String why) {
        JsonNode n = config.path(field);
        if (!n.isMissingNode() && !n.isNull() && n.asBoolean() != expected) {
            throw new CheckpointException(source + ": " + field + " is " + n + "; " + why + " (expected " + expected + ")");
        }
    }

    private static int layerNumber(String layer) {
        Matcher m = Pattern.compile("\\D*(\\d+)$").matcher(layer);
        return m.matches() ? Integer.parseInt(m.group(1)) : Integer.MAX_VALUE;
    }

    private static Map<String, JsonNode> toMap(ObjectNode node) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        node.properties().forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
