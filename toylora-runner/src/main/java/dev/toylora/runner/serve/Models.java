package dev.toylora.runner.serve;

import dev.toylora.api.Adapter;
import dev.toylora.api.AdapterSet;
import dev.toylora.api.Backend;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.Tensor;
import dev.toylora.io.safetensors.CheckpointException;
import dev.toylora.io.safetensors.CheckpointMetadata;
import dev.toylora.io.safetensors.Safetensors;
import dev.toylora.io.data.KnownDataset;
import dev.toylora.runner.predict.DigitImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The base and the adapters loaded on it. Adapters are checked as {@code predict} checks them (a LoRA adapter file,
 * trained on this base's weights, tensors that fit) and kept in an {@link AdapterSet}; readers see an immutable
 * snapshot, so a load or unload never changes what a request already in flight computes with.
 */
final class Models {
    static final String BASE = "base";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** One loaded adapter; {@code id} tells apart two adapters loaded under one name at different times. */
    record Loaded(long id, String name, AdapterSet.Entry entry, String source, Map<String, String> metadata, List<Network> merged) {
        LoraSpec spec() {
            return entry.spec();
        }
    }

    private final Backend backend;
    private final Path baseFile;
    private final NetworkSpec spec;
    private final String baseSha256;
    private final KnownDataset dataset;
    private final Map<String, Tensor> baseTensors;
    /** The base, once per compute thread: an engine's network keeps per-pass buffers and is not shared between threads. */
    private final List<Network> networks = new ArrayList<>();
    private final boolean mergedCopies;
    private final int maxAdapters;
    private final AtomicLong ids = new AtomicLong();
    /** Guarded by {@code this}; the batcher never touches it (it gets entries through {@link #loaded}). */
    private final AdapterSet set;
    private volatile Map<String, Loaded> loaded = Map.of();

    /**
     * @param copies       copies of the base, one per compute thread
     * @param mergedCopies also keep, per adapter and copy, the base with the adapter merged in (the {@code merged}
     *                     strategy, which the batching is compared against)
     */
    Models(Backend backend, Path baseFile, int copies, boolean mergedCopies, int maxAdapters) {
        Safetensors.Checkpoint checkpoint = Safetensors.read(baseFile);
        Map<String, String> meta = checkpoint.metadata();
        if (meta.getOrDefault(CheckpointMetadata.KIND, BASE).equals("lora-adapter")) {
            throw new CheckpointException(baseFile + ": is a LoRA adapter, not a base model; pass it with --adapter NAME=FILE and its base with --base");
        }
        double dropout;
        try {
            dropout = Double.parseDouble(meta.getOrDefault(CheckpointMetadata.DROPOUT, "0.2"));
        } catch (NumberFormatException e) {
            throw new CheckpointException(baseFile + ": __metadata__." + CheckpointMetadata.DROPOUT + " is not a number");
        }
        this.spec = CheckpointMetadata.networkSpec(checkpoint.tensors(), dropout, baseFile.toString());
        if (spec.inputs() != DigitImage.SIZE * DigitImage.SIZE) {
            throw new CheckpointException(baseFile + ": the model takes " + spec.inputs() + " inputs; serve takes 28×28 pictures (784)");
        }
        this.backend = backend;
        this.baseFile = baseFile;
        this.baseTensors = checkpoint.tensors();
        this.baseSha256 = CheckpointMetadata.weightsSha256(baseTensors);
        this.dataset = KnownDataset.byId(meta.getOrDefault(CheckpointMetadata.DATASET, "mnist"));
        for (int c = 0; c < copies; c++) networks.add(backend.restore(spec, baseTensors));
        this.set = new AdapterSet(networks.get(0));
        this.mergedCopies = mergedCopies;
        this.maxAdapters = maxAdapters;
    }

    /**
     * Checks and loads an adapter file's bytes under {@code name}; {@code source} names it in messages (never a path
     * the client did not give). Every refusal is an {@link ApiException} whose message names the problem.
     */
    Loaded load(String name, byte[] bytes, String source) {
        requireName(name);
        Safetensors.Checkpoint file;
        LoraSpec loraSpec;
        try {
            file = Safetensors.decode(bytes, source);
            String kind = file.metadata().getOrDefault(CheckpointMetadata.KIND, "");
            if (!kind.equals("lora-adapter")) {
                throw ApiException.badRequest(source + ": not a LoRA adapter (__metadata__." + CheckpointMetadata.KIND + " is '"
                        + SafePaths.printable(kind) + "', expected lora-adapter)");
            }
            String belongsTo = file.metadata().getOrDefault(CheckpointMetadata.BASE_SHA256, "");
            if (!belongsTo.equals(baseSha256)) {
                throw new ApiException(409, source + ": an adapter of another base (its base's weights SHA-256 is "
                        + (belongsTo.isEmpty() ? "not recorded" : SafePaths.printable(belongsTo)) + ", this server's base has " + baseSha256 + ")");
            }
            loraSpec = CheckpointMetadata.loraSpec(file.metadata(), source);
        } catch (CheckpointException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        synchronized (this) {
            if (loaded.containsKey(name)) throw new ApiException(409, "an adapter named '" + name + "' is loaded already; unload it first");
            if (loaded.size() >= maxAdapters) {
                throw new ApiException(409, loaded.size() + " adapters are loaded, the most this server holds (--max-adapters); unload one first");
            }
            AdapterSet.Entry entry;
            try {
                entry = set.add(name, loraSpec, file.tensors());
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(source + ": " + e.getMessage());
            }
            List<Network> merged = new ArrayList<>();
            try {
                if (mergedCopies) for (int c = 0; c < networks.size(); c++) merged.add(merged(entry));
            } catch (RuntimeException e) {
                set.remove(name);
                throw e;
            }
            Loaded adapter = new Loaded(ids.incrementAndGet(), name, entry, source, file.metadata(), List.copyOf(merged));
            Map<String, Loaded> next = new LinkedHashMap<>(loaded);
            next.put(name, adapter);
            loaded = Collections.unmodifiableMap(next);
            return adapter;
        }
    }

    /** Forgets an adapter; requests already queued with it still get their answers. */
    synchronized void unload(String name) {
        if (!loaded.containsKey(name)) throw ApiException.notFound("no adapter named '" + SafePaths.printable(name) + "' is loaded; loaded: " + loaded.keySet());
        set.remove(name);
        Map<String, Loaded> next = new LinkedHashMap<>(loaded);
        next.remove(name);
        loaded = Collections.unmodifiableMap(next);
    }

    Optional<Loaded> get(String name) {
        return Optional.ofNullable(loaded.get(name));
    }

    /** The loaded adapters, in the order they were loaded. */
    List<Loaded> list() {
        return List.copyOf(loaded.values());
    }

    private Network merged(AdapterSet.Entry entry) {
        Network copy = backend.restore(spec, baseTensors);
        Adapter adapter = copy.attach(entry.spec(), 0);
        adapter.load(entry.weights());
        adapter.merge();
        return copy;
    }

    private static void requireName(String name) {
        if (!NAME.matcher(name).matches() || name.equals(BASE)) {
            throw ApiException.badRequest("adapter name '" + SafePaths.printable(name) + "' must be 1 to 64 letters, digits, '.', '_' or '-', and not 'base'");
        }
    }

    /** Copy {@code c} of the base, shared by every request; only compute thread {@code c} computes with it. */
    Network network(int c) {
        return networks.get(c);
    }

    int copies() {
        return networks.size();
    }

    NetworkSpec spec() {
        return spec;
    }

    Path baseFile() {
        return baseFile;
    }

    String baseSha256() {
        return baseSha256;
    }

    KnownDataset dataset() {
        return dataset;
    }

    Backend backend() {
        return backend;
    }
}
