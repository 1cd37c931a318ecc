package dev.toylora.runner.train;

import dev.toylora.api.Batch;
import dev.toylora.api.NonFiniteLossException;
import dev.toylora.api.Objective;
import dev.toylora.api.Trainer;
import dev.toylora.io.data.Dataset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The backend-neutral training loop: seeded shuffling, batching, the learning-rate schedule and a
 * NaN check. The data order depends only on the seed, so two engines see the same batches.
 */
public final class TrainingLoop {

    /** How one stage trains. */
    public record Settings(String stage, int epochs, int batchSize, LearningRateSchedule.Kind schedule,
                           double learningRate, int warmupEpochs, long seed) {}

    /** Evaluates the network at the end of an epoch: overall, old-group and new-group accuracy. */
    public interface EpochEvaluation {
        String split();

        double[] overallOldNew();
    }

    /** The loss of a batch by the training rows it holds, when a step minimises more than cross-entropy on labels. */
    public interface BatchObjective {
        Objective forRows(int[] rows);
    }

    private final TrainingListener listener;

    public TrainingLoop(TrainingListener listener) {
        this.listener = listener;
    }

    /** Trains for {@code settings.epochs()} epochs over {@code data}; returns one result per epoch. */
    public List<EpochResult> run(Trainer trainer, Dataset data, Settings settings, Supplier<EpochEvaluation> evaluation) {
        return run(trainer, data, settings, evaluation, null);
    }

    /** As {@link #run(Trainer, Dataset, Settings, Supplier)}, each step minimising {@code objective}'s loss when given. */
    public List<EpochResult> run(Trainer trainer, Dataset data, Settings settings, Supplier<EpochEvaluation> evaluation,
                                 @Nullable BatchObjective objective) {
        int rows = data.rows();
        int columns = data.columns();
        int batchSize = Math.min(settings.batchSize(), rows);
        long stepsPerEpoch = (rows + batchSize - 1) / batchSize;
        LearningRateSchedule schedule = new LearningRateSchedule(settings.schedule().id(), settings.learningRate(),
                settings.warmupEpochs() * stepsPerEpoch, settings.epochs() * stepsPerEpoch);

        float[] features = new float[batchSize * columns];
        int[] labels = new int[batchSize];
        int[] batchRows = new int[batchSize];
        Batch full = new Batch(features, labels, batchSize, columns);
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) order[i] = i;
        SplittableRandom shuffler = new SplittableRandom(settings.seed());

        listener.stageStarted(settings.stage(), settings.epochs(), stepsPerEpoch, rows);
        List<EpochResult> history = new ArrayList<>();
        long step = 0;
        for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
            shuffle(order, shuffler);
            long started = System.nanoTime();
            double lossSum = 0;
            long seen = 0;
            double rate = schedule.at(step);
            for (int start = 0; start < rows; start += batchSize) {
                int n = Math.min(batchSize, rows - start);
                for (int r = 0; r < n; r++) {
                    int row = order[start + r];
                    data.copyRow(row, features, r);
                    labels[r] = data.label(row);
                    batchRows[r] = row;
                }
                rate = schedule.at(step);
                trainer.learningRate(rate);
                double loss;
                try {
                    Batch batch = n == batchSize ? full : full.withRows(n);
                    loss = objective == null ? trainer.step(batch) : trainer.step(batch, objective.forRows(Arrays.copyOf(batchRows, n)));
                } catch (NonFiniteLossException e) {
                    loss = e.loss();   // the engine stopped before updating: report it as the divergence it is
                }
                if (!Double.isFinite(loss)) {
                    throw new DivergenceException(settings.stage(), epoch, step + 1, loss, rate);
                }
                lossSum += loss * n;
                seen += n;
                step++;
                listener.stepFinished(settings.stage(), epoch, step, loss);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            EpochEvaluation eval = evaluation.get();
            double[] acc = eval.overallOldNew();
            EpochResult result = new EpochResult(settings.stage(), epoch, settings.epochs(), rate, lossSum / seen,
                    eval.split(), acc[0], acc[1], acc[2], seconds, seen / seconds);
            history.add(result);
            listener.epochFinished(result);
        }
        listener.stageFinished(settings.stage());
        return history;
    }

    /** Fisher–Yates, driven by the stage's seeded generator. */
    static void shuffle(int[] order, SplittableRandom random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
}
