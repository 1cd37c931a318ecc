package dev.toylora.runner.pipeline;

import dev.toylora.api.Adapter;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Network;
import dev.toylora.api.Tensor;
import dev.toylora.io.data.Dataset;
import dev.toylora.runner.experiment.FinetuneConfig;
import dev.toylora.runner.experiment.FinetuneMethod;
import dev.toylora.runner.experiment.ReplaySource;
import dev.toylora.runner.experiment.RetentionConfig;
import dev.toylora.runner.retention.ModelInversion;
import dev.toylora.runner.retention.RetentionObjective;
import dev.toylora.runner.train.EpochResult;
import dev.toylora.runner.train.LearningRateSchedule;
import dev.toylora.runner.train.TrainingLoop;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
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
                         int newSamples, int replaySamples, Map<String, Tensor> checkpoint,
                         ModelInversion.@Nullable Report synthetic, @Nullable Dataset syntheticImages) {}

    /** Fine-tunes without anything recorded with the base: stored-image replay at most, no EWC or synthetic replay. */
    public Result run(RunContext context, Network base) {
        return run(context, base, PretrainStage.Recorded.NOTHING);
    }

    /** @param recorded what was recorded with the base about the old classes (for synthetic replay and EWC) */
    public Result run(RunContext context, Network base, PretrainStage.Recorded recorded) {
        FinetuneConfig config = context.experiment().finetune();
        RetentionConfig retention = config.retention();
        long seed = context.finetuneSeed();
        long started = System.nanoTime();
        Dataset pool = context.trainPool();

        int[] fresh = pool.rowsOfClasses(config.classes());
        List<Integer> replayClasses = context.experiment().replayClasses();
        int replayCount = (int) Math.round(config.replay() * fresh.length);
        Dataset train;
        int replayedCount;
        ModelInversion.Report synthetic = null;
        Dataset syntheticImages = null;
        if (config.replaySource() == ReplaySource.SYNTHETIC && replayCount > 0) {
            // No old image is touched: they are made from the base and the statistics recorded with it.
            ModelInversion.Result made = new ModelInversion(base, recorded.statistics("synthetic replay"),
                    config.synthetic(), context.data().mean(), context.data().std(), pool.subset(fresh))
                    .generateOrLoad(replayClasses, replayCount, Seeds.derive(context.experiment().seed(), "finetune.synthetic"), context.data().classNames(),
                            recorded.cacheDir(), recorded.baseKey());
            synthetic = made.report();
            syntheticImages = made.images();
            log.info("finetune: {} synthetic images of classes {} {}; the base gives {}% of them their class", synthetic.images(), replayClasses,
                    synthetic.cached() ? "read from the cache" : "made from the base in " + String.format("%.1f", synthetic.seconds()) + " s",
                    String.format("%.1f", 100 * synthetic.baseAgreement()));
            train = concat(pool.subset(fresh), made.images());
            replayedCount = replayCount;
        } else {
            int[] oldPool = pool.rowsOfClasses(replayClasses);
            int[] replayed = ReplaySampler.sample(pool, oldPool, replayClasses, replayCount, Seeds.derive(seed, "finetune.replay"));
            int[] rows = new int[fresh.length + replayed.length];
            System.arraycopy(fresh, 0, rows, 0, fresh.length);
            System.arraycopy(replayed, 0, rows, fresh.length, replayed.length);
            train = pool.subset(rows);
            replayedCount = replayed.length;
        }
        // The base's outputs on every training row, before anything changes it: what distillation keeps.
        float[] teacher = retention.distill() > 0 || retention.lwf() > 0 ? base.logits(train.asBatch()) : null;

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
                fresh.length, config.classes(), replayedCount, replayClasses, config.epochs(), config.batchSize(),
                config.learningRate(), config.schedule());

        var trainer = base.trainer(config.toOptimizerSpec(),
                Seeds.derive(seed, "finetune.dropout"));
        if (retention.ewc() > 0) {
            trainer.penaliseChange(recorded.fisher("EWC"), retention.ewc());
            log.info("finetune: EWC, strength {}, on the Fisher diagonal recorded with the base", retention.ewc());
        }
        TrainingLoop.BatchObjective objective = null;
        if (retention.changesTheLoss()) {
            objective = new RetentionObjective(retention, config.classes(), replayClasses, base.spec().outputs(), fresh.length,
                    train.labels(), teacher)::forRows;
        }
        var settings = new TrainingLoop.Settings("finetune", config.epochs(), config.batchSize(),
                LearningRateSchedule.Kind.of(config.schedule()), config.learningRate(), config.warmupEpochs(),
                Seeds.derive(seed, "finetune.shuffle"));
        List<EpochResult> history = new TrainingLoop(context.listener()).run(trainer, train, settings, () -> context.monitor(base), objective);

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
        return new Result(tuned, history, (System.nanoTime() - started) / 1e9, trainable, added, fresh.length, replayedCount, checkpoint,
                synthetic, syntheticImages);
    }

    /** The new images, then the synthetic ones, as one data set (pixels copied). */
    private static Dataset concat(Dataset first, Dataset second) {
        int columns = first.columns();
        int rows = first.rows() + second.rows();
        float[] features = new float[rows * columns];
        int[] labels = new int[rows];
        for (int r = 0; r < first.rows(); r++) {
            first.copyRow(r, features, r);
            labels[r] = first.label(r);
        }
        for (int r = 0; r < second.rows(); r++) {
            second.copyRow(r, features, first.rows() + r);
            labels[first.rows() + r] = second.label(r);
        }
        return new Dataset("fine-tuning", features, labels, rows, columns, first.classNames());
    }
}
