package dev.toylora.runner.train;

/** Hears about training progress; the CLI turns this into a progress bar or log lines. */
public interface TrainingListener {
    default void stageStarted(String stage, int epochs, long stepsPerEpoch, long samples) {}

    default void stepFinished(String stage, int epoch, long step, double loss) {}

    default void epochFinished(EpochResult result) {}

    default void stageFinished(String stage) {}

    TrainingListener NONE = new TrainingListener() {};
}
