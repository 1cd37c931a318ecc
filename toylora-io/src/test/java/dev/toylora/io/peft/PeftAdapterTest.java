package dev.toylora.io.peft;

import static dev.toylora.io.data.IdxFiles.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Tensor;
import dev.toylora.io.safetensors.CheckpointException;
import dev.toylora.io.safetensors.Safetensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The directory PEFT's {@code save_pretrained} writes and {@code from_pretrained} reads, checked against PEFT's source
 * (huggingface/peft, commit 5d602fdb, 2026-08-21): the file names of {@code src/peft/utils/constants.py}, the fields of
 * {@code LoraConfig} ({@code src/peft/tuners/lora/config.py}) and {@code PeftConfig} ({@code src/peft/config.py}), the
 * keys {@code get_peft_model_state_dict} gives ({@code src/peft/utils/save_and_load.py}: the adapter name removed;
 * {@code src/peft/tuners/tuners_utils.py}: a "lora_only" bias under {@code <module>.base_layer.bias}).
 */
class PeftAdapterTest {
    /** Every field of PeftConfig and LoraConfig as {@code to_dict} gives them (LoraConfig drops runtime_config). */
    static final Set<String> PEFT_FIELDS = Set.of(
            "auto_mapping", "base_model_name_or_path", "revision", "peft_type", "task_type", "inference_mode", "peft_version",
            "r", "target_modules", "exclude_modules", "lora_alpha", "lora_dropout", "fan_in_fan_out", "bias", "use_rslora",
            "modules_to_save", "init_lora_weights", "layers_to_transform", "layers_pattern", "rank_pattern", "alpha_pattern",
            "megatron_config", "megatron_core", "trainable_token_indices", "loftq_config", "eva_config", "corda_config",
            "lora_ga_config", "use_dora", "velora_config", "alora_invocation_tokens", "use_qalora", "qalora_group_size",
            "monteclora_config", "layer_replication", "lora_bias", "target_parameters", "use_bdlora", "arrow_config",
            "kasa_config", "ensure_weight_tying");

    static final LoraSpec SPEC = new LoraSpec(2, 4, List.of("fc1", "fc3"), true, 0.1, true);

    @TempDir
    Path dir;

    static Map<String, Tensor> weights() {
        Map<String, Tensor> w = new LinkedHashMap<>();
        w.put("fc1.lora_A.weight", new Tensor(new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}));
        w.put("fc1.lora_B.weight", new Tensor(new int[] {4, 2}, new float[] {1, 0, 0, 1, 1, 1, 0, 0}));
        w.put("fc1.bias", new Tensor(new int[] {4}, new float[] {0.5f, 0, 0, -0.5f}));
        w.put("fc3.lora_A.weight", new Tensor(new int[] {2, 5}, new float[10]));
        w.put("fc3.lora_B.weight", new Tensor(new int[] {2, 2}, new float[] {7, 8, 9, 10}));
        w.put("fc3.bias", new Tensor(new int[] {2}, new float[] {1, 2}));
        return w;
    }

    @Test
    void writesWhatPeftWritesAndReadsItBack() throws Exception {
        PeftAdapter.write(dir, SPEC, weights(), Map.of("toylora.base-sha256", "abc"), "base.safetensors");
        JsonNode config = new ObjectMapper().readTree(Files.readString(dir.resolve("adapter_config.json")));
        List<String> fields = new ArrayList<>();
        config.fieldNames().forEachRemaining(fields::add);
        assertEquals(new ArrayList<>(new TreeSet<>(fields)), fields, "sorted, as json.dumps(sort_keys=True)");
        for (String field : fields) assertTrue(PEFT_FIELDS.contains(field), field + " is not a field of PEFT's LoraConfig");
        assertEquals("LORA", config.get("peft_type").asText());
        assertEquals(2, config.get("r").asInt());
        assertTrue(config.get("lora_alpha").isInt(), "an integral alpha is written as an int, as PEFT's lora_alpha: int");
        assertEquals(4, config.get("lora_alpha").asInt());
        assertEquals("[\"fc1\",\"fc3\"]", config.get("target_modules").toString());
        assertEquals("lora_only", config.get("bias").asText());
        assertEquals(0.1, config.get("lora_dropout").asDouble());
        assertTrue(config.get("use_rslora").asBoolean());
        assertTrue(config.get("inference_mode").asBoolean());
        assertEquals("base.safetensors", config.get("base_model_name_or_path").asText());
        assertTrue(Files.readString(dir.resolve("adapter_config.json")).contains("\n  \"bias\": \"lora_only\",\n"), "indent=2, \": \"");

        Safetensors.Checkpoint file = Safetensors.read(dir.resolve("adapter_model.safetensors"));
        assertEquals(Set.of("base_model.model.fc1.lora_A.weight", "base_model.model.fc1.lora_B.weight", "base_model.model.fc1.base_layer.bias",
                "base_model.model.fc3.lora_A.weight", "base_model.model.fc3.lora_B.weight", "base_model.model.fc3.base_layer.bias"),
                file.tensors().keySet());
        assertEquals("pt", file.metadata().get("format"), "PEFT's metadata");
        assertEquals("abc", file.metadata().get("toylora.base-sha256"));

        Safetensors.Checkpoint back = PeftAdapter.read(dir);
        assertEquals(weights().keySet(), back.tensors().keySet());
        weights().forEach((name, t) -> assertTrue(t.sameAs(back.tensors().get(name)), name));
        assertEquals("lora-adapter", back.metadata().get("toylora.kind"));
        assertEquals("peft", back.metadata().get(PeftAdapter.FORMAT));
        assertEquals("2", back.metadata().get("lora.rank"));
        assertEquals("true", back.metadata().get("lora.rslora"));
    }

    @Test
    void readsAConfigAsPeftWritesItWithEveryField() throws Exception {
        // the shape of PEFT's own output: every field, target_modules a list in set order, a float alpha
        String config = """
                {"alora_invocation_tokens": null, "alpha_pattern": {}, "arrow_config": null, "auto_mapping": {"base_model_class": "MLP",
                 "parent_library": "__main__"}, "base_model_name_or_path": null, "bias": "none", "corda_config": null,
                 "ensure_weight_tying": false, "eva_config": null, "exclude_modules": null, "fan_in_fan_out": false, "inference_mode": true,
                 "init_lora_weights": true, "layer_replication": null, "layers_pattern": null, "layers_to_transform": null,
                 "loftq_config": {}, "lora_alpha": 16.0, "lora_bias": false, "lora_dropout": 0.0, "megatron_config": null,
                 "megatron_core": "megatron.core", "modules_to_save": null, "peft_type": "LORA", "peft_version": "0.18.0", "qalora_group_size": 16,
                 "r": 8, "rank_pattern": {}, "revision": null, "target_modules": ["fc4", "fc2"], "target_parameters": null, "task_type": null,
                 "trainable_token_indices": null, "use_dora": false, "use_qalora": false, "use_rslora": false}""";
        LoraSpec spec = PeftAdapter.spec(new ObjectMapper().readTree(config), "adapter_config.json");
        assertEquals(new LoraSpec(8, 16, List.of("fc2", "fc4"), false, 0, false), spec);
    }

    @Test
    void refusesWhatToyLoraCannotBeNamingTheField() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("\"peft_type\": \"IA3\"", "peft_type is 'IA3'");
        bad.put("\"use_dora\": true", "use_dora is true; DoRA");
        bad.put("\"bias\": \"all\"", "bias is 'all'");
        bad.put("\"target_modules\": \"fc.*\"", "target_modules is \"fc.*\"");
        bad.put("\"rank_pattern\": {\"fc1\": 4}", "rank_pattern is {\"fc1\":4}");
        bad.put("\"fan_in_fan_out\": true", "fan_in_fan_out is true");
        bad.put("\"modules_to_save\": [\"fc4\"]", "modules_to_save is [\"fc4\"]");
        bad.put("\"r\": 0", "LoRA rank must be >= 1");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            ObjectNode config = (ObjectNode) json.readTree("{\"peft_type\": \"LORA\", \"r\": 4, \"lora_alpha\": 8, \"target_modules\": [\"fc1\"]}");
            ObjectNode change = (ObjectNode) json.readTree("{" + e.getKey() + "}");
            config.setAll(change);
            CheckpointException x = assertThrows(CheckpointException.class, () -> PeftAdapter.spec(config, "cfg.json"), e.getKey());
            assertMessage(x, "cfg.json: ", e.getValue());
        }
        assertMessage(assertThrows(CheckpointException.class, () -> PeftAdapter.read(dir)), "no adapter_config.json");
        PeftAdapter.write(dir, SPEC, weights(), Map.of(), "b");
        Map<String, Tensor> odd = new LinkedHashMap<>(Safetensors.read(dir.resolve("adapter_model.safetensors")).tensors());
        odd.put("base_model.model.fc1.lora_embedding_A", new Tensor(new int[] {1}, new float[1]));
        Safetensors.write(dir.resolve("adapter_model.safetensors"), odd, Map.of());
        assertMessage(assertThrows(CheckpointException.class, () -> PeftAdapter.read(dir)), "lora_embedding_A", "is not one of a LoRA adapter's");
    }
}
