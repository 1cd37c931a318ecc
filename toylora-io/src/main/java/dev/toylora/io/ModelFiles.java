package dev.toylora.io;

import dev.toylora.api.Adapter;
import dev.toylora.api.Backend;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.Tensor;
import dev.toylora.io.peft.PeftAdapter;
import dev.toylora.io.safetensors.CheckpointException;
import dev.toylora.io.safetensors.CheckpointMetadata;
import dev.toylora.io.safetensors.Safetensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Bases and LoRA adapters as files, the way the runner writes and reads them: a base is a {@code .safetensors} file of
 * PyTorch-named weights ({@code fc1.weight} [out, in], {@code fc1.bias}, …); an adapter is a {@code .safetensors} file
 * of PEFT-named tensors ({@code fc1.lora_A.weight} [r, in], {@code fc1.lora_B.weight} [out, r]) with its LoRA settings
 * in {@code __metadata__}, or a PEFT adapter directory ({@link PeftAdapter}). An adapter records the SHA-256 of the
 * base weights it was trained on, and is loaded onto no other base.
 *
 * <pre>{@code
 * BaseFile base = ModelFiles.saveBase(dir.resolve("base.safetensors"), network);   // before attaching an adapter
 * Adapter adapter = network.attach(LoraSpec.builder().rank(16).targets("fc1", "fc4").build(), seed);
 * // … train …
 * ModelFiles.saveAdapter(dir.resolve("adapter.safetensors"), adapter, base);
 *
 * Network restored = ModelFiles.loadBase(dir.resolve("base.safetensors"), backend);
 * Adapter loaded = ModelFiles.loadAdapter(dir.resolve("adapter.safetensors"), restored);
 * }</pre>
 *
 * Files are written whole or not at all. Every failure to read is a {@link CheckpointException} naming the file.
 */
public final class ModelFiles {
    /** {@code toylora.kind} of a base (and of a merged export). */
    public static final String BASE = "base";
    /** {@code toylora.kind} of a LoRA adapter. */
    public static final String LORA_ADAPTER = "lora-adapter";
    /** {@code toylora.kind} of a fully fine-tuned model. */
    public static final String FULL_FINETUNE = "full-finetune";

    private ModelFiles() {}

    /**
     * A base checkpoint as read: its tensors and metadata, the MLP they make and the SHA-256 of its weights (what its
     * adapters record).
     */
    public record BaseFile(Path file, Safetensors.Checkpoint checkpoint, NetworkSpec spec, String weightsSha256) {
        public Map<String, String> metadata() {
            return checkpoint.metadata();
        }

        /** A network with these weights, built by {@code backend}. */
        public Network restore(Backend backend) {
            return backend.restore(spec, checkpoint.tensors());
        }
    }

    /**
     * A LoRA adapter as read, from a {@code .safetensors} file or a PEFT directory: its settings and its tensors by
     * ToyLoRA's (PEFT's state_dict) names, {@code fc1.lora_A.weight}, …, and {@code fc1.bias} when it trains biases.
     *
     * @param checkpoint tensors and metadata; a PEFT directory's settings are given as {@link CheckpointMetadata#lora}
     * @param peft       whether it came from a PEFT directory (which need not record its base)
     */
    public record AdapterFile(Path source, Safetensors.Checkpoint checkpoint, LoraSpec spec, boolean peft) {

        /** The SHA-256 of the base weights it was trained on, when it records one. */
        public Optional<String> baseSha256() {
            return Optional.ofNullable(checkpoint.metadata().get(CheckpointMetadata.BASE_SHA256)).filter(s -> !s.isEmpty());
        }

        /**
         * Refuses a base other than the one it was trained on. An adapter written by PEFT itself records no base: it is
         * then only checked for its shapes, when attached.
         *
         * @param baseSha256 the SHA-256 of the base's weights ({@link CheckpointMetadata#weightsSha256})
         * @param base       names the base in the message
         */
        public void checkBelongsTo(String baseSha256, String base) {
            Optional<String> belongsTo = baseSha256();
            if (belongsTo.isEmpty() && peft) return;
            if (!belongsTo.equals(Optional.of(baseSha256))) {
                throw new CheckpointException(source + ": this adapter belongs to a base with weights SHA-256 "
                        + belongsTo.orElse("(not recorded)") + ", but " + base + " has " + baseSha256 + "; pass the base it was trained on");
            }
        }

        /** Attaches it to {@code network} (which must have none attached) and loads its tensors. */
        public Adapter attachTo(Network network) {
            try {
                Adapter attached = network.attach(spec, 0); // A's random draw is replaced by load()
                try {
                    attached.load(checkpoint.tensors());
                } catch (RuntimeException e) {
                    network.detach();
                    throw e;
                }
                return attached;
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(source + ": " + e.getMessage());
            }
        }
    }

    /**
     * Writes the base weights of {@code network}, which must have no adapter attached (an adapter that trains biases
     * changes the network's biases while it is attached), with {@code toylora.kind = base}, the model's dropout and the
     * weights' SHA-256 in {@code __metadata__}.
     */
    public static BaseFile saveBase(Path file, Network network) {
        return saveBase(file, network, Map.of());
    }

    /** As {@link #saveBase(Path, Network)}, with more {@code __metadata__} (e.g. the classes it was trained on). */
    public static BaseFile saveBase(Path file, Network network, Map<String, String> metadata) {
        if (network.adapter().isPresent()) {
            throw new IllegalStateException("not saving " + file + " as a base: the network has an adapter attached, which may have changed its"
                    + " biases; save the base before attaching, or detach the adapter first");
        }
        Map<String, Tensor> weights = network.weights();
        Map<String, String> meta = new TreeMap<>(metadata);
        meta.put(CheckpointMetadata.KIND, BASE);
        meta.putIfAbsent(CheckpointMetadata.DROPOUT, String.valueOf(network.spec().dropout()));
        meta.put(CheckpointMetadata.BASE_SHA256, CheckpointMetadata.weightsSha256(weights));
        Safetensors.write(file, weights, meta);
        return base(file, new Safetensors.Checkpoint(new TreeMap<>(weights), meta));
    }

    /** Reads a base checkpoint and checks it is one. */
    public static BaseFile readBase(Path file) {
        return base(file, Safetensors.read(file));
    }

    /** A network with the weights of the base checkpoint {@code file}, built by {@code backend}. */
    public static Network loadBase(Path file, Backend backend) {
        return readBase(file).restore(backend);
    }

    /** Writes the adapter's tensors and settings, recording that it belongs to {@code base}. */
    public static void saveAdapter(Path file, Adapter adapter, BaseFile base) {
        saveAdapter(file, adapter, base, Map.of());
    }

    /** As {@link #saveAdapter(Path, Adapter, BaseFile)}, with more {@code __metadata__}. */
    public static void saveAdapter(Path file, Adapter adapter, BaseFile base, Map<String, String> metadata) {
        Safetensors.write(file, unmergedWeights(adapter, file), adapterMetadata(adapter.spec(), base, metadata));
    }

    /**
     * Writes the adapter as PEFT saves one: {@code dir/adapter_config.json} and {@code dir/adapter_model.safetensors}
     * (see {@link PeftAdapter}), recording in the latter's metadata that it belongs to {@code base}.
     */
    public static void savePeftAdapter(Path dir, Adapter adapter, BaseFile base) {
        savePeftAdapter(dir, adapter, base, Map.of());
    }

    /** As {@link #savePeftAdapter(Path, Adapter, BaseFile)}, with more metadata in the safetensors file. */
    public static void savePeftAdapter(Path dir, Adapter adapter, BaseFile base, Map<String, String> metadata) {
        PeftAdapter.write(dir, adapter.spec(), unmergedWeights(adapter, dir), adapterMetadata(adapter.spec(), base, metadata),
                base.file().getFileName().toString());
    }

    /** Reads an adapter: a {@code .safetensors} file written by ToyLoRA, or a PEFT adapter directory. */
    public static AdapterFile readAdapter(Path fileOrDirectory) {
        if (Files.isDirectory(fileOrDirectory)) {
            Safetensors.Checkpoint checkpoint = PeftAdapter.read(fileOrDirectory);
            return new AdapterFile(fileOrDirectory, checkpoint, CheckpointMetadata.loraSpec(checkpoint.metadata(), fileOrDirectory.toString()), true);
        }
        return adapter(fileOrDirectory, Safetensors.read(fileOrDirectory));
    }

    /**
     * Reads an adapter ({@link #readAdapter}), checks that it was trained on {@code network}'s weights (the network must
     * have no adapter attached) and attaches it.
     */
    public static Adapter loadAdapter(Path fileOrDirectory, Network network) {
        AdapterFile adapter = readAdapter(fileOrDirectory);
        if (network.adapter().isPresent()) {
            throw new IllegalStateException("cannot load " + fileOrDirectory + ": the network has an adapter attached already; detach it first");
        }
        adapter.checkBelongsTo(CheckpointMetadata.weightsSha256(network.weights()), "the network");
        return adapter.attachTo(network);
    }

    /** A checkpoint read from {@code file}, checked to be a base. */
    public static BaseFile base(Path file, Safetensors.Checkpoint checkpoint) {
        Map<String, String> meta = checkpoint.metadata();
        String kind = meta.getOrDefault(CheckpointMetadata.KIND, BASE);
        if (kind.equals(LORA_ADAPTER)) {
            throw new CheckpointException(file + ": is a LoRA adapter (__metadata__." + CheckpointMetadata.KIND
                    + " = lora-adapter), not a base model; pass it as the adapter, with the base it was trained on");
        }
        double dropout;
        try {
            dropout = Double.parseDouble(meta.getOrDefault(CheckpointMetadata.DROPOUT, "0.2"));
        } catch (NumberFormatException e) {
            throw new CheckpointException(file + ": __metadata__." + CheckpointMetadata.DROPOUT + " is not a number: " + meta.get(CheckpointMetadata.DROPOUT));
        }
        NetworkSpec spec = CheckpointMetadata.networkSpec(checkpoint.tensors(), dropout, file.toString());
        return new BaseFile(file, checkpoint, spec, CheckpointMetadata.weightsSha256(checkpoint.tensors()));
    }

    /** A checkpoint read from {@code file}, checked to be a LoRA adapter. */
    public static AdapterFile adapter(Path file, Safetensors.Checkpoint checkpoint) {
        String kind = checkpoint.metadata().getOrDefault(CheckpointMetadata.KIND, "");
        if (!kind.equals(LORA_ADAPTER)) {
            throw new CheckpointException(file + ": __metadata__." + CheckpointMetadata.KIND + " is '" + kind + "', expected lora-adapter"
                    + (kind.equals(FULL_FINETUNE) || kind.equals(BASE) ? " (this file is a whole model: pass it as the base)" : ""));
        }
        return new AdapterFile(file, checkpoint, CheckpointMetadata.loraSpec(checkpoint.metadata(), file.toString()), false);
    }

    private static Map<String, Tensor> unmergedWeights(Adapter adapter, Path file) {
        if (adapter.merged()) {
            throw new IllegalStateException("not saving " + file + ": the adapter is merged into the base weights; unmerge it first");
        }
        return adapter.weights();
    }

    private static Map<String, String> adapterMetadata(LoraSpec spec, BaseFile base, Map<String, String> metadata) {
        Map<String, String> meta = new TreeMap<>(metadata);
        meta.putAll(CheckpointMetadata.lora(spec));
        meta.put(CheckpointMetadata.KIND, LORA_ADAPTER);
        meta.put(CheckpointMetadata.BASE_SHA256, base.weightsSha256());
        return meta;
    }
}
