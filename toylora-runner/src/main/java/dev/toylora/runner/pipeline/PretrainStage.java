package dev.toylora.runner.pipeline;

import dev.toylora.api.Network;
import dev.toylora.api.Tensor;
import dev.toylora.io.data.Dataset;
import dev.toylora.runner.experiment.Experiment;
import dev.toylora.runner.experiment.StageConfig;
import dev.toylora.runner.train.EpochResult;
import dev.toylora.runner.train.LearningRateSchedule;
import dev.toylora.runner.train.TrainingLoop;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
