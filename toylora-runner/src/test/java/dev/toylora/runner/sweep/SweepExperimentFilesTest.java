package dev.toylora.runner.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.toylora.runner.experiment.Experiment;
import dev.toylora.runner.experiment.ExperimentParser;
import dev.toylora.runner.experiment.SweepGrid;
import dev.toylora.runner.experiment.Trial;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The committed sweep files: their trials and names, and that they keep the recipe of lora-r16.yaml (a change to
 * one without the other fails here).
 */
class SweepExperimentFilesTest {
    static Experiment read(String file) {
        return ExperimentParser.parse(Repository.root().resolve("experiments").resolve(file), List.of());
    }

    @Test
    void rankSweepIsLoraR16AtSevenRanks() {
        List<Trial> trials = SweepGrid.trials(read("rank-sweep.yaml"));
        assertEquals(List.of("rank=1", "rank=2", "rank=4", "rank=8", "rank=16", "rank=32", "rank=64"),
                trials.stream().map(Trial::label).toList());
        assertEquals("rank-sweep/rank=64", trials.get(6).experiment().name());
        assertEquals(64, trials.get(6).experiment().finetune().lora().rank());
        Experiment r16 = read("lora-r16.yaml");
        assertEquals(r16, trials.get(4).experiment().withName("lora-r16"),
                "rank-sweep.yaml must keep every setting of lora-r16.yaml (its rank=16 trial is lora-r16)");
    }

    @Test
    void targetSweepIsLoraR16OnEachLayerAndOnAll() {
        List<Trial> trials = SweepGrid.trials(read("target-sweep.yaml"));
        assertEquals(List.of("targets=fc1", "targets=fc2", "targets=fc3", "targets=fc4", "targets=fc1+fc2+fc3+fc4"),
                trials.stream().map(Trial::label).toList());
        assertEquals(List.of("fc4"), trials.get(3).experiment().finetune().lora().targets(), "fc4 alone: the classifier only");
        Experiment r16 = read("lora-r16.yaml");
        assertEquals(r16, trials.get(4).experiment().withName("lora-r16"),
                "target-sweep.yaml must keep every setting of lora-r16.yaml (its all-layers trial is lora-r16)");
        for (Trial t : trials) assertEquals(16, t.experiment().finetune().lora().rank());
    }

    @Test
    void theirResultsFoldersAreNamedAfterThem() {
        assertEquals(Path.of("results", "rank-sweep", "rank=16"),
                Path.of("results").resolve(SweepGrid.trials(read("rank-sweep.yaml")).get(4).experiment().name()));
    }
}
