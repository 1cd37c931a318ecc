package dev.toylora.runner.pipeline;

import dev.toylora.api.Adapter;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Network;
import dev.toylora.api.Tensor;
import dev.toylora.io.data.Dataset;
import dev.toylora.runner.experiment.FinetuneConfig;
import dev.toylora.runner.experiment.FinetuneMethod;
import dev.toylora.runner.train.EpochResult;
import dev.toylora.runner.train.LearningRateSchedule;
import dev.toylora.runner.train.TrainingLoop;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Teaches the new classes: with a LoRA adapter on a frozen base ({@code method: lora}) or by
 * training every weight ({@code method: full}), on the new-class images plus any replayed old ones.
 */
public class FinetuneStage {
    private static final Logger log = LoggerFactory.getLogger(FinetuneStage.class);

    /**
     * @param trainable  parameters the optimizer updated
     * @param added      parameters the method adds to the base (A and B; 0 for full fine-tuning)
     * @param checkpoint what to save: the adapter's tensors, or every weight for full fine-tuning
     */
    public record Result(Network network, List<EpochResult> history, double seconds, long trainable, long added,
                         int newSamples, int replaySamples, Map<String, Tensor> checkpoint) {}

    public Result run(RunContext context, Network base) {
        FinetuneConfig config = context.experiment().finetune();
        long seed = context.finetuneSeed();
        long started = System.nanoTime();
        Dataset pool = context.trainPool();

        int[] fresh = pool.rowsOfClasses(config.classes());
        List<Integer> replayClasses = context.experiment().replayClasses();
        int replayCount = (int) Math.round(config.replay() * fresh.length);
        int[] oldPool = pool.rowsOfClasses(replayClasses);
        int[] replayed = ReplaySampler.sample(pool, oldPool, replayClasses, replayCount, Seeds.derive(seed, "finetune.replay"));
        int[] rows = new int[fresh.length + replayed.length];
        System.arraycopy(fresh, 0, rows, 0, fresh.length);
        System.arraycopy(replayed, 0, rows, fresh.length, replayed.length);
        Dataset train = pool.subset(rows);

        long trainable;
        long added;
        Adapter adapter = null;
        if (config.method() == FinetuneMethod.LORA) {
            LoraSpec spec = config.lora().toLoraSpec();
            adapter = base.attach(spec, Seeds.derive(seed, "finetune.lora.init"));
            trainable = adapter.trainableParameters();
            added = new LoraSpec(spec.rank(), spec.alpha(), spec.targets(), false, 0, spec.rsLora()).trainableParameters(base.spec());
            log.info("finetune: LoRA r={} alpha={} (scale {}) on {}: {} trainable parameters, {} of the adapted model's {}",
                    spec.rank(), spec.alpha(), String.format("%.3g", spec.scaling()), spec.targets(), trainable,
                    String.format("%.1f%%", 100.0 * trainable / (base.parameterCount() + added)), base.parameterCount() + added);
        } else {
            trainable = base.trainableParameterCount();
            added = 0;
            log.info("finetune: full fine-tuning, all {} parameters trainable", trainable);
        }
        log.info("finetune: {} images of classes {} + {} replayed of classes {}, {} epochs, batch {}, lr {} ({})",
                fresh.length, config.classes(), replayed.length, replayClasses, config.epochs(), config.batchSize(),
                config.learningRate(), config.schedule());

        var trainer = base.trainer(config.toOptimizerSpec(),
                Seeds.derive(seed, "finetune.dropout"));
        var settings = new TrainingLoop.Settings("finetune", config.epochs(), config.batchSize(),
                LearningRateSchedule.Kind.of(config.schedule()), config.learningRate(), config.warmupEpochs(),
                Seeds.derive(seed, "finetune.shuffle"));
        List<EpochResult> history = new TrainingLoop(context.listener()).run(trainer, train, settings, () -> context.monitor(base));

        // Evaluate exactly what the checkpoint holds (float32), so `compare` on the saved files reproduces the table.
        Network tuned = base;
        Map<String, Tensor> checkpoint;
        if (adapter != null) {
            checkpoint = adapter.weights();
            adapter.load(checkpoint);
        } else {
            checkpoint = base.weights();
            tuned = context.backend().restore(base.spec(), checkpoint);
        }
        return new Result(tuned, history, (System.nanoTime() - started) / 1e9, trainable, added, fresh.length, replayed.length, checkpoint);
    }
}
