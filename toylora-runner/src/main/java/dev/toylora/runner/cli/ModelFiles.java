package dev.toylora.runner.cli;

import dev.toylora.api.Adapter;
import dev.toylora.api.Backend;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.io.data.KnownDataset;
import dev.toylora.io.safetensors.CheckpointException;
import dev.toylora.io.safetensors.CheckpointMetadata;
import dev.toylora.io.safetensors.Safetensors;
import dev.toylora.runner.results.ComparisonTable;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A base checkpoint and the LoRA adapters that belong to it, read and checked for {@code compare}, {@code adapters},
 * {@code export} and {@code predict}: toylora-io's {@link dev.toylora.io.ModelFiles}, plus what the runner records in a
 * base (the data set and the classes). An adapter is a {@code .safetensors} file or a PEFT adapter directory.
 */
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

        /** The name of each output class: as recorded, else a known data set's, else the numbers. */
        List<String> classNames() {
            return CheckpointMetadata.classNames(metadata(), file.toString()).orElseGet(() -> known()
                    .filter(k -> k.numClasses() == spec.outputs()).map(KnownDataset::classNames)
                    .orElse(ComparisonTable.numbers(spec.outputs())));
        }

        /** {mean, std} that standardise an input as the base's training data was: as recorded, else the known data set's. */
        float[] standardisation() {
            String mean = metadata().get(CheckpointMetadata.DATA_MEAN), std = metadata().get(CheckpointMetadata.DATA_STD);
            if (mean != null && std != null) {
                try {
                    return new float[] {Float.parseFloat(mean), Float.parseFloat(std)};
                } catch (NumberFormatException e) {
                    throw new CheckpointException(file + ": __metadata__ " + CheckpointMetadata.DATA_MEAN + " / " + CheckpointMetadata.DATA_STD
                            + " are not numbers: " + mean + ", " + std);
                }
            }
            KnownDataset known = known().orElseThrow(() -> new CheckpointException(file + ": records neither the data set's mean and std ("
                    + CheckpointMetadata.DATA_MEAN + ", " + CheckpointMetadata.DATA_STD + ") nor a known data set (" + dataset + ")"));
            return new float[] {known.mean(), known.std()};
        }

        /** Where its data is: {@code --data} if given, else where it was trained from, else {@code data/<dataset>}. */
        Path dataDir(@Nullable Path given) {
            if (given != null) return given;
            String recorded = metadata().get(CheckpointMetadata.DATA_DIR);
            return recorded != null ? Path.of(recorded) : Path.of("data", dataset);
        }

        private Optional<KnownDataset> known() {
            return Arrays.stream(KnownDataset.values()).filter(k -> k.id().equals(dataset)).findFirst();
        }
    }

    static Base readBase(Path file) {
        dev.toylora.io.ModelFiles.BaseFile base = dev.toylora.io.ModelFiles.readBase(file);
        return new Base(file, base.checkpoint(), base.spec(), base.metadata().getOrDefault(CheckpointMetadata.DATASET, "mnist"),
                base.weightsSha256());
    }

    /** Reads a LoRA adapter (a file or a PEFT directory) and checks that it was trained on {@code base}'s weights. */
    static Safetensors.Checkpoint readAdapter(Path file, Base base) {
        dev.toylora.io.ModelFiles.AdapterFile adapter = dev.toylora.io.ModelFiles.readAdapter(file);
        adapter.checkBelongsTo(base.weightsSha256(), base.file().toString());
        return adapter.checkpoint();
    }

    /** Attaches the adapter file's LoRA to {@code network} and loads its tensors. */
    static Adapter attach(Network network, Safetensors.Checkpoint adapter, Path file) {
        return dev.toylora.io.ModelFiles.adapter(file, adapter).attachTo(network);
    }
}
