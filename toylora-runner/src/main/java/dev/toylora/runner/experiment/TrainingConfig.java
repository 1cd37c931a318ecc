package dev.toylora.runner.experiment;

import dev.toylora.api.OptimizerSpec;

/** The settings one training stage shares with the other: pretraining and fine-tuning both have them. */
public interface TrainingConfig {

    int epochs();

    int batchSize();

    double learningRate();

    double weightDecay();

    /** {@code constant}, or {@code cosine} decay to zero over the epochs after warm-up. */
    String schedule();

    /** Epochs of linear warm-up from 0 to the learning rate; at most {@link #epochs()}. */
    int warmupEpochs();

    /** Adam with PyTorch's defaults; AdamW (decoupled) when weight decay is above zero. */
    default OptimizerSpec toOptimizerSpec() {
        return new OptimizerSpec(learningRate(), 0.9, 0.999, 1e-8, weightDecay());
    }
}
