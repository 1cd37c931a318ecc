package dev.toylora.runner.cli;

import dev.toylora.api.Adapter;
import dev.toylora.api.Backend;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.io.safetensors.CheckpointException;
import dev.toylora.io.safetensors.CheckpointMetadata;
import dev.toylora.io.safetensors.Safetensors;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A base checkpoint and the LoRA adapters that belong to it, read and checked for {@code compare}, {@code adapters}, {@code export} and {@code predict}. */
final class ModelFiles {
    private ModelFiles() {}

    /** A base checkpoint: its tensors and metadata, the MLP they make and the SHA-256 of its weights. */
    record Base(Path file, Safetensors.Checkpoint checkpoint, NetworkSpec spec, String dataset, String weightsSha256) {
        Map<String, String> metadata() {
            return checkpoint.metadata();
        }

        Network restore(Backend backend) {
            return backend.restore(spec, checkpoint.tensors());
        }

        /** The classes the base was pretrained on, as recorded in it. */
        List<Integer> oldClasses() {
            return CheckpointMetadata.classes(metadata(), CheckpointMetadata.OLD_CLASSES, file.toString());
        }

        /** The classes fine-tuning was to add, as recorded in it. */
        List<Integer> newClasses() {
            return CheckpointMetadata.classes(metadata(), CheckpointMetadata.NEW_CLASSES, file.toString());
        }
    }

    static Base readBase(Path file) {
        Safetensors.Checkpoint checkpoint = Safetensors.read(file);
        Map<String, String> meta = checkpoint.metadata();
        String kind = meta.getOrDefault(CheckpointMetadata.KIND, "base");
        if (kind.equals("lora-adapter")) {
            throw new CheckpointException(file + ": is a LoRA adapter (__metadata__." + CheckpointMetadata.KIND
                    + " = lora-adapter), not a base model; pass it with --adapter and its base with --base");
        }
        double dropout;
        try {
            dropout = Double.parseDouble(meta.getOrDefault(CheckpointMetadata.DROPOUT, "0.2"));
        } catch (NumberFormatException e) {
            throw new CheckpointException(file + ": __metadata__." + CheckpointMetadata.DROPOUT + " is not a number: " + meta.get(CheckpointMetadata.DROPOUT));
        }
        NetworkSpec spec = CheckpointMetadata.networkSpec(checkpoint.tensors(), dropout, file.toString());
        return new Base(file, checkpoint, spec, meta.getOrDefault(CheckpointMetadata.DATASET, "mnist"),
                CheckpointMetadata.weightsSha256(checkpoint.tensors()));
    }

    /** Reads a LoRA adapter and checks that it was trained on {@code base}'s weights. */
    static Safetensors.Checkpoint readAdapter(Path file, Base base) {
        return checkAdapter(Safetensors.read(file), file, base);
    }

    /** Checks that {@code adapter} (read from {@code file}) is a LoRA adapter trained on {@code base}'s weights. */
    static Safetensors.Checkpoint checkAdapter(Safetensors.Checkpoint adapter, Path file, Base base) {
        String kind = adapter.metadata().getOrDefault(CheckpointMetadata.KIND, "");
        if (!kind.equals("lora-adapter")) {
            throw new CheckpointException(file + ": __metadata__." + CheckpointMetadata.KIND + " is '" + kind + "', expected lora-adapter"
                    + (kind.equals("full-finetune") || kind.equals("base") ? " (this file is a whole model: pass it as --base)" : ""));
        }
        String belongsTo = adapter.metadata().getOrDefault(CheckpointMetadata.BASE_SHA256, "");
        if (!belongsTo.equals(base.weightsSha256())) {
            throw new CheckpointException(file + ": this adapter belongs to a base with weights SHA-256 "
                    + (belongsTo.isEmpty() ? "(not recorded)" : belongsTo) + ", but " + base.file() + " has " + base.weightsSha256()
                    + "; pass the base it was trained on");
        }
        return adapter;
    }

    /** Attaches the adapter file's LoRA to {@code network} and loads its tensors. */
    static Adapter attach(Network network, Safetensors.Checkpoint adapter, Path file) {
        try {
            Adapter attached = network.attach(CheckpointMetadata.loraSpec(adapter.metadata(), file.toString()), 0);
            attached.load(adapter.tensors());
            return attached;
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file + ": " + e.getMessage());
        }
    }
}
