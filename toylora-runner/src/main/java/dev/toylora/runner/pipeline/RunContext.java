package dev.toylora.runner.pipeline;

import dev.toylora.api.Backend;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.io.data.DataSplit;
import dev.toylora.io.data.Dataset;
import dev.toylora.runner.experiment.Experiment;
import dev.toylora.runner.train.ClassAccuracy;
import dev.toylora.runner.train.Evaluator;
import dev.toylora.runner.train.TrainingListener;
import dev.toylora.runner.train.TrainingLoop;
import java.util.List;
import java.util.Optional;

/**
 * Everything the stages of one experiment share: the resolved experiment, the engine, the data
 * (training pool with any validation rows removed) and where progress goes.
 *
 * @param trainPool     training images available to the stages (validation rows excluded)
 * @param validation    held-out training images, when {@code data.validation > 0}
 * @param finetuneSeed  seed for everything random in fine-tuning (differs per sweep trial)
 */
public record RunContext(Experiment experiment, Backend backend, NetworkSpec networkSpec, DataSplit data,
                         Dataset trainPool, Optional<Dataset> validation, long finetuneSeed, TrainingListener listener) {

    public List<Integer> oldClasses() {
        return experiment.pretrain().classes();
    }

    public List<Integer> newClasses() {
        return experiment.finetune().classes();
    }

    /** What per-epoch accuracy is measured on: the validation split if there is one, else the test set (reported, never used to choose). */
    public TrainingLoop.EpochEvaluation monitor(Network network) {
        Dataset on = validation.orElse(data.test());
        String split = validation.isPresent() ? "validation" : "test";
        ClassAccuracy accuracy = Evaluator.evaluate(network, on);
        double[] values = {accuracy.overall(), accuracy.group(oldClasses()), accuracy.group(newClasses())};
        return new TrainingLoop.EpochEvaluation() {
            @Override
            public String split() {
                return split;
            }

            @Override
            public double[] overallOldNew() {
                return values;
            }
        };
    }
}
