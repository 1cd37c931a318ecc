package dev.toylora.runner.train;

/**
 * One row of history.csv: a finished epoch of one stage.
 *
 * @param evaluatedOn which split {@code accuracy} is measured on: "validation" when one is held
 *                    out, else "test" (monitoring only: nothing is chosen from it)
 */
public record EpochResult(String stage, int epoch, int epochs, double learningRate, double loss,
                          String evaluatedOn, double overall, double old, double fresh,
                          double seconds, double samplesPerSecond) {}
