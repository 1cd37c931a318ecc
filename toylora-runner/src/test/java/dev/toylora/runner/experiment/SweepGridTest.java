package dev.toylora.runner.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SweepGridTest {

    private static Experiment parse(String yaml) {
        return ExperimentParser.parse(yaml, "experiments/lora.yaml", List.of());
    }

    @Test
    void crossProductInFileOrderLastAxisFastest() {
        Experiment base = parse("seed: 42\nsweep:\n  finetune.lora.rank: [1, 2, 4]\n  finetune.lora.alpha: [8, 16.5]\n");
        List<Trial> trials = SweepGrid.trials(base);

        assertEquals(6, trials.size());
        List<String> names = trials.stream().map(t -> t.experiment().name()).toList();
        assertEquals(List.of("lora/rank=1,alpha=8", "lora/rank=1,alpha=16.5", "lora/rank=2,alpha=8",
                "lora/rank=2,alpha=16.5", "lora/rank=4,alpha=8", "lora/rank=4,alpha=16.5"), names);
        for (int i = 0; i < trials.size(); i++) {
            Trial t = trials.get(i);
            assertEquals(i, t.index());
            assertEquals(List.of("finetune.lora.rank", "finetune.lora.alpha"), List.copyOf(t.values().keySet()));
            assertEquals(t.values().get("finetune.lora.rank"), t.experiment().finetune().lora().rank());
            assertEquals(((Number) t.values().get("finetune.lora.alpha")).doubleValue(), t.experiment().finetune().lora().alpha());
            assertTrue(t.experiment().sweep().isEmpty());
            // the base seed stays, so every trial shares one pretrained base
            assertEquals(42, t.experiment().seed());
            assertEquals(base.withoutSweep().pretrain(), t.experiment().pretrain());
        }
        assertEquals("rank=2,alpha=16.5", trials.get(3).label());
        assertEquals(Map.of("finetune.lora.rank", 2, "finetune.lora.alpha", 16.5), trials.get(3).values());
    }

    @Test
    void trialSeedsAreDistinctAndDeterministic() {
        Experiment base = parse("seed: 42\nsweep:\n  finetune.lora.rank: [1, 2, 4, 8, 16, 32, 64]\n");
        List<Trial> a = SweepGrid.trials(base);
        List<Trial> b = SweepGrid.trials(parse("seed: 42\nsweep:\n  finetune.lora.rank: [1, 2, 4, 8, 16, 32, 64]\n"));
        assertEquals(a, b);
        assertEquals(7, a.stream().map(Trial::seed).distinct().count());
        a.forEach(t -> assertNotEquals(42L, t.seed()));
        assertEquals(SweepGrid.trialSeed(42, 3), a.get(3).seed());

        List<Trial> other = SweepGrid.trials(parse("seed: 43\nsweep:\n  finetune.lora.rank: [1, 2, 4, 8, 16, 32, 64]\n"));
        for (int i = 0; i < a.size(); i++) assertNotEquals(a.get(i).seed(), other.get(i).seed());

        Set<Long> seeds = new HashSet<>();
        for (int i = 0; i < SweepGrid.MAX_TRIALS; i++) seeds.add(SweepGrid.trialSeed(42, i));
        assertEquals(SweepGrid.MAX_TRIALS, seeds.size());
    }

    @Test
    void withoutASweepTheExperimentIsTheOnlyTrial() {
        Experiment e = parse("seed: 5\n");
        List<Trial> trials = SweepGrid.trials(e);
        assertEquals(1, trials.size());
        assertEquals(new Trial(0, Map.of(), e, SweepGrid.trialSeed(5, 0)), trials.get(0));
        assertEquals("", trials.get(0).label());
    }

    @Test
    void labelsUseFullKeysWhenLastSegmentsClashAndJoinLists() {
        List<Trial> trials = SweepGrid.trials(parse("""
                sweep:
                  pretrain.epochs: [1]
                  finetune.epochs: [2, 3]
                  model.hidden: [[64], [32, 16]]
                  finetune.lora.targets: [[fc1], [fc1, fc2]]
                """));
        assertEquals(8, trials.size());
        assertEquals("lora/pretrain.epochs=1,finetune.epochs=2,hidden=64,targets=fc1", trials.get(0).experiment().name());
        assertEquals("lora/pretrain.epochs=1,finetune.epochs=3,hidden=32+16,targets=fc1+fc2", trials.get(7).experiment().name());
        assertEquals(List.of(32, 16), trials.get(7).experiment().model().hidden());
        assertEquals(List.of(List.of(32, 16)), List.of(trials.get(7).values().get("model.hidden")));
    }

    @Test
    void longLabelsFallBackToNumbers() {
        String dir = "data/" + "very-long-directory-name-".repeat(3);
        List<Trial> trials = SweepGrid.trials(parse("sweep:\n  data.dir: [" + dir + "a, " + dir + "b]\n"));
        assertEquals(List.of("lora/trial-000", "lora/trial-001"), trials.stream().map(t -> t.experiment().name()).toList());
        assertEquals(dir + "b", trials.get(1).experiment().data().dir());
    }

    @Test
    void defaultsDerivedFromASweptKeyFollowIt() {
        List<Trial> trials = SweepGrid.trials(parse("sweep:\n  data.dataset: [mnist, fashion-mnist]\n  model.hidden: [[64], [128, 64, 32]]\n"));
        assertEquals("data/fashion-mnist", trials.get(2).experiment().data().dir());
        assertEquals(List.of("fc1", "fc2"), trials.get(0).experiment().finetune().lora().targets());
        assertEquals(List.of("fc1", "fc2", "fc3", "fc4"), trials.get(1).experiment().finetune().lora().targets());
        // an explicit dir stays put
        List<Trial> explicit = SweepGrid.trials(parse("data: {dir: mine}\nsweep:\n  data.dataset: [mnist, fashion-mnist]\n"));
        assertEquals("mine", explicit.get(1).experiment().data().dir());
    }

    @Test
    void trialsOfAResolvedConfigReadBackFromJsonAreTheSame() {
        Experiment e = parse("sweep:\n  finetune.lora.rank: [4, 8]\n");
        Experiment back = ExperimentParser.fromJsonNode(ExperimentParser.toJsonNode(e), "metrics.json");
        assertEquals(SweepGrid.trials(e), SweepGrid.trials(back));
        // a trial's own resolved config parses back too (its name has the label)
        Experiment trial = SweepGrid.trials(e).get(1).experiment();
        assertEquals(trial, ExperimentParser.parse(ExperimentParser.toYaml(trial), "trial.yaml", List.of()));
    }

    @Test
    void aHandBuiltInvalidSweepIsRefused() {
        Experiment base = parse("{}");
        Map<String, List<Object>> axes = new LinkedHashMap<>();
        axes.put("finetune.lora.rank", List.of(4, 0));
        Experiment bad = new Experiment(base.name(), base.backend(), base.seed(), base.data(), base.model(),
                base.pretrain(), base.finetune(), new SweepConfig(axes));
        ExperimentException e = assertThrows(ExperimentException.class, () -> SweepGrid.trials(bad));
        assertEquals("lora trial 1 (rank=0): finetune.lora.rank: must be an integer >= 1, got 0", e.getMessage());
    }

    @Test
    void productOrder() {
        Map<String, List<Integer>> axes = new LinkedHashMap<>();
        axes.put("a", List.of(1, 2));
        axes.put("b", List.of(3, 4, 5));
        List<Map<String, Integer>> p = SweepGrid.product(axes);
        assertEquals(List.of(Map.of("a", 1, "b", 3), Map.of("a", 1, "b", 4), Map.of("a", 1, "b", 5),
                Map.of("a", 2, "b", 3), Map.of("a", 2, "b", 4), Map.of("a", 2, "b", 5)), p);
    }
}
