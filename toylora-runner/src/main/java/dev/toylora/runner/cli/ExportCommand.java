package dev.toylora.runner.cli;

import dev.toylora.api.Adapter;
import dev.toylora.api.Backend;
import dev.toylora.api.Batch;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Network;
import dev.toylora.api.Tensor;
import dev.toylora.io.peft.PeftAdapter;
import dev.toylora.io.safetensors.CheckpointException;
import dev.toylora.io.safetensors.CheckpointMetadata;
import dev.toylora.io.safetensors.Safetensors;
import dev.toylora.runner.experiment.Engines;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * Merges a LoRA adapter into its base and writes the result as a plain base checkpoint ({@code --out}): the same
 * tensor names and metadata as a base file, plus where it came from. Or, with {@code --peft}, writes the adapter as
 * PEFT saves one, for {@code PeftModel.from_pretrained}. The input files are only read.
 */
@Command(name = "export", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = {"Writes an adapter's base with the adapter merged in (--out), or the adapter as a PEFT directory (--peft), or both.",
        "--out: a plain base checkpoint; --peft: adapter_config.json and adapter_model.safetensors, as PEFT saves them.",
        "Example: export --base results/lora-r16/checkpoints/base.safetensors --adapter results/lora-r16/checkpoints/adapter.safetensors"
                + " --out merged.safetensors --peft lora-r16-peft"})
final class ExportCommand implements Callable<Integer> {
    /** Metadata keys an exported base adds: the files it was merged from. */
    static final String FROM_BASE = "toylora.merged-from.base";
    static final String FROM_BASE_SHA256 = "toylora.merged-from.base-sha256";
    static final String FROM_ADAPTER = "toylora.merged-from.adapter";
    static final String FROM_ADAPTER_FILE_SHA256 = "toylora.merged-from.adapter-file-sha256";
    static final String FROM_LORA = "toylora.merged-from.lora";

    @Option(names = "--base", required = true, paramLabel = "FILE", description = "the base model (.safetensors)")
    Path base = Path.of("");

    @Option(names = "--adapter", required = true, paramLabel = "FILE|DIR", description = "a LoRA adapter trained on that base (.safetensors, or a PEFT directory)")
    Path adapter = Path.of("");

    @Option(names = "--out", paramLabel = "FILE", description = "where the merged model goes (.safetensors; written whole or not at all)")
    @Nullable Path out;

    @Option(names = "--peft", paramLabel = "DIR", description = "where the adapter goes as PEFT saves it: DIR/" + PeftAdapter.CONFIG + " and DIR/"
            + PeftAdapter.WEIGHTS + " (other files in DIR are left alone)")
    @Nullable Path peft;

    @Option(names = "--backend", paramLabel = "NAME", description = "engine that merges (default: the available engine of the highest rank)")
    @Nullable String backendName;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (out == null && peft == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give --out FILE (the merged model) or --peft DIR (the adapter as PEFT saves it), or both");
        }
        for (Path input : new Path[] {base, adapter}) {
            if (out != null && sameFile(out, input)) throw new CheckpointException(out + ": is an input of this export; choose another --out (inputs are never written)");
            if (peft != null && sameFile(peft, input)) throw new CheckpointException(peft + ": is an input of this export; choose another --peft (inputs are never written)");
        }
        ModelFiles.Base baseFile = ModelFiles.readBase(base);
        Safetensors.Checkpoint adapterFile = ModelFiles.readAdapter(adapter, baseFile);
        PrintWriter printer = spec.commandLine().getOut();
        if (peft != null) {
            LoraSpec lora = CheckpointMetadata.loraSpec(adapterFile.metadata(), adapter.toString());
            Map<String, String> meta = new TreeMap<>(adapterFile.metadata());
            meta.keySet().removeIf(key -> key.startsWith("lora.") || key.equals(PeftAdapter.FORMAT)); // adapter_config.json says these
            meta.put(CheckpointMetadata.BASE_SHA256, baseFile.weightsSha256());
            PeftAdapter.write(peft, lora, adapterFile.tensors(), meta, base.getFileName().toString());
            printer.println("wrote " + peft + ": " + PeftAdapter.CONFIG + " (r=" + lora.rank() + ", lora_alpha=" + lora.alpha() + ", target_modules="
                    + lora.targets() + ", bias=" + (lora.trainBias() ? "lora_only" : "none") + ") and " + PeftAdapter.WEIGHTS + " ("
                    + adapterFile.tensors().size() + " tensors, " + PeftAdapter.PREFIX + "<module>.lora_A.weight, …)");
            printer.flush();
        }
        Path out = this.out;
        if (out == null) return 0;
        Backend backend = Engines.named(backendName, "no --backend given");
        Network network = baseFile.restore(backend);
        Adapter attached = ModelFiles.attach(network, adapterFile, adapter);

        // A probe batch: the merged model, read back from float32, must give the adapted model's logits.
        Batch probe = probe(baseFile.spec().inputs(), 64);
        float[] adaptedLogits = logits(network, probe);
        attached.merge();
        Map<String, Tensor> merged = network.weights();
        float[] exportedLogits = logits(backend.restore(baseFile.spec(), merged), probe);
        double maxDifference = 0;
        for (int i = 0; i < adaptedLogits.length; i++) maxDifference = Math.max(maxDifference, Math.abs(adaptedLogits[i] - exportedLogits[i]));

        Map<String, String> meta = new TreeMap<>(baseFile.metadata());
        meta.remove("toylora.base-key"); // the pretraining cache key: these weights were not pretrained
        LoraSpec lora = attached.spec();
        meta.put(CheckpointMetadata.KIND, "base");
        meta.put(CheckpointMetadata.BASE_SHA256, CheckpointMetadata.weightsSha256(merged));
        meta.put("toylora.backend", backend.name());
        meta.put(FROM_BASE, base.toString());
        meta.put(FROM_BASE_SHA256, baseFile.weightsSha256());
        meta.put(FROM_ADAPTER, adapter.toString());
        meta.put(FROM_ADAPTER_FILE_SHA256, fileSha256(adapter));
        meta.put(FROM_LORA, String.format(Locale.ROOT, "rank=%d alpha=%s scaling=%s targets=%s bias=%s rslora=%s", lora.rank(),
                lora.alpha(), lora.scaling(), String.join(",", lora.targets()), lora.trainBias(), lora.rsLora()));
        adapterFile.metadata().forEach((key, value) -> {
            if (key.equals("toylora.experiment")) meta.put("toylora.merged-from.experiment", value);
        });
        Safetensors.write(out, merged, meta);

        printer.println("wrote " + out + ": " + base.getFileName() + " with " + adapter.getFileName() + " merged in (LoRA r=" + lora.rank()
                + " on " + String.join(",", lora.targets()) + ", s=" + lora.scaling() + "), a plain base checkpoint of "
                + merged.size() + " tensors");
        printer.println("weights SHA-256 " + meta.get(CheckpointMetadata.BASE_SHA256) + "; largest |logit difference| to base+adapter on "
                + probe.rows() + " probe inputs: " + String.format(Locale.ROOT, "%.2e", maxDifference));
        printer.flush();
        return 0;
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            if (Files.exists(a) && Files.exists(b)) return Files.isSameFile(a, b);
        } catch (IOException e) {
            // fall through to comparing the paths
        }
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    /** Deterministic inputs spread like standardised pixels. */
    static Batch probe(int columns, int rows) {
        SplittableRandom random = new SplittableRandom(7);
        float[] features = new float[rows * columns];
        for (int i = 0; i < features.length; i++) features[i] = (float) (random.nextDouble() * 3.2 - 0.4);
        return new Batch(features, new int[rows], rows, columns);
    }

    static float[] logits(Network network, Batch batch) {
        float[] logits = new float[batch.rows() * network.spec().outputs()];
        network.logits(batch, logits);
        return logits;
    }

    /** The SHA-256 of a file's bytes; of a PEFT directory, that of its {@value PeftAdapter#WEIGHTS}. */
    static String fileSha256(Path file) {
        if (Files.isDirectory(file)) file = file.resolve(PeftAdapter.WEIGHTS);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
