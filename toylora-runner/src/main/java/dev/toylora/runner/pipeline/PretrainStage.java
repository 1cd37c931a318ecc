package dev.toylora.runner.pipeline;

import dev.toylora.api.Network;
import dev.toylora.api.Tensor;
import dev.toylora.io.data.Dataset;
import dev.toylora.runner.experiment.Experiment;
import dev.toylora.runner.experiment.StageConfig;
import dev.toylora.io.safetensors.CheckpointException;
import dev.toylora.io.safetensors.Safetensors;
import dev.toylora.runner.retention.BaseStatistics;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.toylora.runner.train.EpochResult;
import dev.toylora.runner.train.LearningRateSchedule;
import dev.toylora.runner.train.TrainingLoop;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Trains the base network on the old classes, or takes it from the cache when the same base was trained before. */
public class PretrainStage {
    private static final Logger log = LoggerFactory.getLogger(PretrainStage.class);

    /** The base, its training history (empty when cached) and where it came from. */
    public record Result(Network network, Map<String, Tensor> weights, List<EpochResult> history, double seconds,
                         boolean cached, String cacheKey, long trainingSamples) {}

    private final BaseCache cache;

    public PretrainStage(BaseCache cache) {
        this.cache = cache;
    }

    public Result run(RunContext context) {
        Experiment experiment = context.experiment();
        StageConfig config = experiment.pretrain();
        String key = BaseCache.key(producedBy(context));
        long started = System.nanoTime();
        Dataset train = context.trainPool().subset(context.trainPool().rowsOfClasses(config.classes()));

        var cached = cache.load(key);
        if (cached.isPresent()) {
            log.info("pretrain: reusing the cached base {} (same model, settings, data, seed and backend)", cache.file(key).getFileName());
            Network network = context.backend().restore(context.networkSpec(), cached.get().tensors());
            return new Result(network, cached.get().tensors(), List.of(), seconds(started), true, key, train.rows());
        }

        log.info("pretrain: {} images of classes {}, {} epochs, batch {}, Adam lr {}", train.rows(), config.classes(),
                config.epochs(), config.batchSize(), config.learningRate());
        Network network = context.backend().create(context.networkSpec(), experiment.seed());
        var trainer = network.trainer(config.toOptimizerSpec(),
                Seeds.derive(experiment.seed(), "pretrain.dropout"));
        var settings = new TrainingLoop.Settings("pretrain", config.epochs(), config.batchSize(),
                LearningRateSchedule.Kind.of(config.schedule()), config.learningRate(), config.warmupEpochs(),
                Seeds.derive(experiment.seed(), "pretrain.shuffle"));
        List<EpochResult> history = new TrainingLoop(context.listener()).run(trainer, train, settings, () -> context.monitor(network));

        // Continue from the float32 weights as stored, so a cached base and a fresh one give identical runs.
        Map<String, Tensor> weights = network.weights();
        Network stored = context.backend().restore(context.networkSpec(), weights);
        cache.store(key, weights, Map.of("toylora.kind", "base", "toylora.cache-key", key));
        return new Result(stored, weights, history, seconds(started), false, key, train.rows());
    }

    /**
     * What fine-tuning may know of the old classes without their images, recorded from the pretraining images with the
     * base and kept next to it in the cache: activation statistics (synthetic replay) and the Fisher diagonal (EWC).
     *
     * @param bytes   what is kept on disk, in bytes (float32)
     * @param seconds what recording took now (0 when read from the cache)
     * @param baseKey  the base's cache key
     * @param cacheDir where the base is cached, for what is made from it (synthetic images)
     */
    public record Recorded(@Nullable BaseStatistics statistics, @Nullable Map<String, Tensor> fisher, long bytes, double seconds,
                           String baseKey, @Nullable Path cacheDir) {
        public static final Recorded NOTHING = new Recorded(null, null, 0, 0, "", null);

        public BaseStatistics statistics(String neededBy) {
            BaseStatistics kept = statistics;
            if (kept == null) throw new IllegalStateException(neededBy + " needs the activation statistics recorded with the base");
            return kept;
        }

        public Map<String, Tensor> fisher(String neededBy) {
            Map<String, Tensor> kept = fisher;
            if (kept == null) throw new IllegalStateException(neededBy + " needs the Fisher diagonal recorded with the base");
            return kept;
        }
    }

    /** Records (or reads from beside the cached base) what fine-tuning will need: statistics, the Fisher diagonal. */
    public Recorded record(RunContext context, Result base, boolean statistics, boolean fisher) {
        if (!statistics && !fisher) return new Recorded(null, null, 0, 0, base.cacheKey(), cache.dir());
        long started = System.nanoTime();
        Dataset old = context.trainPool().subset(context.trainPool().rowsOfClasses(context.experiment().pretrain().classes()));
        int hidden = context.networkSpec().layerShapes().size() - 1;
        BaseStatistics stats = null;
        Map<String, Tensor> importance = null;
        long bytes = 0;
        boolean computed = false;
        if (statistics) {
            Path file = cache.dir().resolve("base-" + base.cacheKey() + ".statistics.safetensors");
            var kept = BaseStatistics.load(file, hidden);
            if (kept.isPresent()) {
                stats = kept.get();
            } else {
                stats = BaseStatistics.record(base.network(), old);
                stats.save(file);
                computed = true;
            }
            bytes += stats.bytes();
            log.info("pretrain: activation statistics of {} hidden layers kept with the base ({} bytes)", hidden, stats.bytes());
        }
        if (fisher) {
            Path file = cache.dir().resolve("base-" + base.cacheKey() + ".fisher.safetensors");
            Map<String, Tensor> kept = null;
            if (Files.isRegularFile(file)) {
                try {
                    kept = Safetensors.read(file).tensors();
                } catch (CheckpointException e) {
                    log.warn("ignoring an unreadable cached Fisher diagonal ({}); it will be recorded again", e.getMessage());
                }
            }
            if (kept == null) {
                kept = BaseStatistics.fisher(base.network(), old);
                Safetensors.write(file, kept, Map.of("toylora.kind", "fisher-diagonal", "toylora.cache-key", base.cacheKey()));
                computed = true;
            }
            importance = kept;
            long size = kept.values().stream().mapToLong(Tensor::size).sum() * 4;
            bytes += size;
            log.info("pretrain: the Fisher diagonal of the base kept with it ({} bytes)", size);
        }
        return new Recorded(stats, importance, bytes, computed ? seconds(started) : 0, base.cacheKey(), cache.dir());
    }

    /** What the base depends on; any change gives a different key. */
    static Map<String, Object> producedBy(RunContext context) {
        Experiment e = context.experiment();
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("network", context.networkSpec().toString());
        inputs.put("pretrain", e.pretrain().toString());
        inputs.put("dataset", e.data().dataset());
        inputs.put("validation", e.data().validation());
        inputs.put("data-sha256", new java.util.TreeMap<>(context.data().sha256()));
        inputs.put("seed", e.seed());
        inputs.put("backend", context.backend().name() + " " + context.backend().version());
        return inputs;
    }

    private static double seconds(long started) {
        return (System.nanoTime() - started) / 1e9;
    }
}
