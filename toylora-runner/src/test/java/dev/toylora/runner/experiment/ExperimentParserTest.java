package dev.toylora.runner.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toylora.api.NetworkSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentParserTest {

    private static final String SOURCE = "experiments/x.yaml";

    private static Experiment parse(String yaml, String... overrides) {
        return ExperimentParser.parse(yaml, SOURCE, List.of(overrides));
    }

    /** The exception's message lines. */
    private static List<String> errors(String yaml, String... overrides) {
        ExperimentException e = assertThrows(ExperimentException.class, () -> parse(yaml, overrides));
        List<String> lines = List.of(e.getMessage().split("\n"));
        assertEquals(e.problems().size(), lines.size(), e.getMessage());
        return lines;
    }

    /** The only problem, as its message line. */
    private static String error(String yaml, String... overrides) {
        List<String> lines = errors(yaml, overrides);
        assertEquals(1, lines.size(), String.join("\n", lines));
        return lines.get(0);
    }

    private static void assertStarts(String expectedStart, String actual) {
        assertTrue(actual.startsWith(expectedStart), () -> "expected to start with\n  " + expectedStart + "\nbut was\n  " + actual);
    }

    private static void assertContains(String expectedPart, String actual) {
        assertTrue(actual.contains(expectedPart), () -> "expected to contain\n  " + expectedPart + "\nbut was\n  " + actual);
    }

    @Nested
    class Defaults {

        @Test
        void emptyMappingIsTheOriginalProjectsSetup() {
            Experiment e = ExperimentParser.parse("{}", "experiments/lora-r16.yaml", List.of());

            assertEquals("lora-r16", e.name());
            assertEquals("ojalgo", e.backend());
            assertEquals(42, e.seed());
            assertEquals(new DataConfig("mnist", "data/mnist", 0), e.data());
            assertEquals(new ModelConfig(List.of(512, 256, 128), 0.2), e.model());
            assertEquals(NetworkSpec.mnistMlp(), e.network());
            // The constants that stand in for absent sections (older files) and that written files leave out.
            assertEquals(ReplaySource.IMAGES, e.finetune().replaySource());
            assertEquals(RetentionConfig.OFF, e.finetune().retention());
            assertEquals(SyntheticConfig.DEFAULT, e.finetune().synthetic());
            assertEquals(new StageConfig(List.of(0, 1, 2, 3, 4, 5, 6, 7), 10, 64, 0.001, 0.0, "constant", 0), e.pretrain());
            FinetuneConfig f = e.finetune();
            assertEquals(FinetuneMethod.LORA, f.method());
            assertEquals(List.of(8, 9), f.classes());
            assertEquals(0.0, f.replay());
            assertEquals(List.of(), f.replayClasses());
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), e.replayClasses());
            assertEquals(5, f.epochs());
            assertEquals(64, f.batchSize());
            assertEquals(0.001, f.learningRate());
            assertEquals(0.0, f.weightDecay());
            assertEquals("constant", f.schedule());
            assertEquals(0, f.warmupEpochs());
            assertEquals(new LoraConfig(16, 32, List.of("fc1", "fc2", "fc3", "fc4"), false, 0.0, false), f.lora());
            assertEquals(2.0, f.lora().toLoraSpec().scaling());
            assertTrue(e.sweep().isEmpty());
            assertEquals(e, ExperimentParser.defaults("lora-r16"));
        }

        @Test
        void commentsOnlyAndTheEmptyMappingDiffer() {
            assertEquals("x", parse("# nothing but a comment\n{}\n").name());
            for (String empty : new String[] {"", "   \n", "# only a comment\n", "---\n"}) {
                assertEquals("experiments/x.yaml: empty experiment file; expected a mapping of settings such as"
                        + " 'name: my-run' (write '{}' to take every default)", error(empty));
            }
        }

        @Test
        void theNameComesFromTheFileName() {
            assertEquals("my-run", ExperimentParser.parse("{}", "some/dir/My Run.yml", List.of()).name());
            assertEquals("lora.r4", ExperimentParser.parse("{}", "lora.r4.yaml", List.of()).name());
        }

        @Test
        void dataDirFollowsTheDatasetAndTargetsFollowTheModel() {
            Experiment e = parse("data: {dataset: fashion-mnist}\nmodel: {hidden: [64]}\n");
            assertEquals("data/fashion-mnist", e.data().dir());
            assertEquals(Path.of("data/fashion-mnist"), e.data().path());
            assertEquals(List.of("fc1", "fc2"), e.finetune().lora().targets());
        }

        @Test
        void convertsToTheApiRecords() {
            Experiment e = parse("model: {hidden: [100, 50], dropout: 0.1}\n"
                    + "finetune: {weight-decay: 0.01, learning-rate: 0.01, lora: {rank: 4, alpha: 8, targets: [fc3],"
                    + " bias: true, dropout: 0.1, rslora: true}}\n");
            assertEquals(new NetworkSpec(784, List.of(100, 50), 10, 0.1), e.model().toNetworkSpec(784, 10));
            assertEquals(List.of("fc1", "fc2", "fc3"), e.model().layerNames());
            var lora = e.finetune().lora().toLoraSpec();
            assertEquals(new dev.toylora.api.LoraSpec(4, 8, List.of("fc3"), true, 0.1, true), lora);
            assertEquals(4.0, lora.scaling());
            var opt = e.finetune().toOptimizerSpec();
            assertEquals(0.01, opt.learningRate());
            assertEquals(0.01, opt.weightDecay());
        }
    }

    @Nested
    class RoundTrip {

        static final String FULL = """
                name: lora-r4
                backend: ojalgo
                seed: 7
                data:
                  dataset: fashion-mnist
                  dir: ../shared/fashion
                  validation: 5000
                model:
                  hidden: [256, 128]
                  dropout: 0.1
                pretrain:
                  classes: [0, 1, 2, 3, 4, 5]
                  epochs: 3
                  batch-size: 128
                  learning-rate: 0.002
                  weight-decay: 0.01
                  schedule: cosine
                  warmup-epochs: 1
                finetune:
                  method: lora
                  classes: [6, 9]
                  replay: 0.8
                  replay-classes: [0, 2]
                  replay-source: synthetic
                  epochs: 4
                  batch-size: 32
                  learning-rate: 0.0005
                  weight-decay: 0.001
                  schedule: cosine
                  warmup-epochs: 2
                  lora:
                    rank: 4
                    alpha: 8
                    targets: [fc2, fc3]
                    bias: true
                    dropout: 0.05
                    rslora: true
                  retention:
                    distill: 1.5
                    lwf: 0.5
                    temperature: 3
                    full-softmax: 0.25
                    ewc: 100
                  synthetic:
                    steps: 50
                    learning-rate: 0.1
                    batch-size: 64
                    statistics: 2
                    tv: 0.01
                    l2: 0.001
                    jitter: 2
                    confidence: 0.9
                    init: new-images
                sweep:
                  finetune.lora.rank: [1, 2, 4]
                  finetune.lora.targets: [[fc3], [fc2, fc3]]
                  finetune.replay: [0.0, 1.5e-1]
                """;

        @Test
        void everyKeyIsRead() {
            Experiment e = parse(FULL);
            assertEquals(new Experiment("lora-r4", "ojalgo", 7,
                    new DataConfig("fashion-mnist", "../shared/fashion", 5000),
                    new ModelConfig(List.of(256, 128), 0.1),
                    new StageConfig(List.of(0, 1, 2, 3, 4, 5), 3, 128, 0.002, 0.01, "cosine", 1),
                    new FinetuneConfig(FinetuneMethod.LORA, List.of(6, 9), 0.8, List.of(0, 2), ReplaySource.SYNTHETIC, 4, 32, 0.0005,
                            0.001, "cosine", 2, new LoraConfig(4, 8, List.of("fc2", "fc3"), true, 0.05, true),
                            new RetentionConfig(1.5, 0.5, 3, 0.25, 100),
                            new SyntheticConfig(50, 0.1, 64, 2, 0.01, 0.001, 2, 0.9, "new-images")),
                    new SweepConfig(java.util.Map.of("finetune.lora.rank", List.<Object>of(1, 2, 4)))
            ).withoutSweep(), e.withoutSweep());
            assertEquals(List.of("finetune.lora.rank", "finetune.lora.targets", "finetune.replay"),
                    List.copyOf(e.sweep().axes().keySet()));
            assertEquals(List.of(List.of("fc3"), List.of("fc2", "fc3")), e.sweep().axes().get("finetune.lora.targets"));
            assertEquals(List.of(0.0, 0.15), e.sweep().axes().get("finetune.replay"));
        }

        @Test
        void yamlRoundTrips() {
            Experiment e = parse(FULL);
            String yaml = ExperimentParser.toYaml(e);
            assertEquals(e, ExperimentParser.parse(yaml, "resolved.yaml", List.of()));
            assertContains("batch-size: 128", yaml);
            assertContains("replay-classes:", yaml);
            Experiment defaults = parse("{}");
            assertEquals(defaults, ExperimentParser.parse(ExperimentParser.toYaml(defaults), "y.yaml", List.of()));
        }

        @Test
        void jsonRoundTripsWithKebabCaseKeys() throws Exception {
            Experiment e = parse(FULL);
            ObjectNode json = ExperimentParser.toJsonNode(e);
            assertEquals(128, json.at("/pretrain/batch-size").intValue());
            assertEquals(0.0005, json.at("/finetune/learning-rate").doubleValue());
            assertEquals(2, json.at("/finetune/replay-classes/1").intValue());
            assertEquals(3, json.at("/sweep/finetune.lora.rank").size());
            assertEquals(e, ExperimentParser.fromJsonNode(json, "results/lora-r4/metrics.json"));
            // a plain Jackson mapper reads it too (no validation, then)
            assertEquals(e, JsonMapper.builder().build().treeToValue(json, Experiment.class));
            // JSON text is YAML
            assertEquals(e, ExperimentParser.parse(json.toString(), "metrics.json", List.of()));
        }

        @Test
        void noSweepKeyWithoutASweep() {
            ObjectNode json = ExperimentParser.toJsonNode(parse("{}"));
            assertFalse(json.has("sweep"));
            assertFalse(ExperimentParser.toYaml(parse("{}")).contains("sweep"));
        }
    }

    @Nested
    class Overrides {

        @Test
        void scalarsAndLists() {
            Experiment e = parse("seed: 1\nfinetune:\n  lora:\n    rank: 8\n",
                    "seed=7", "finetune.replay=2.0", "finetune.lora.targets=[fc3]", "finetune.lora.rank=4",
                    "model.hidden=[256, 128]", "pretrain.classes=[0,1,2]", "data.dataset=fashion-mnist",
                    "finetune.schedule=cosine", "finetune.lora.rslora=true");
            assertEquals(7, e.seed());
            assertEquals(2.0, e.finetune().replay());
            assertEquals(List.of("fc3"), e.finetune().lora().targets());
            assertEquals(4, e.finetune().lora().rank());
            assertEquals(List.of(256, 128), e.model().hidden());
            assertEquals(List.of(0, 1, 2), e.pretrain().classes());
            assertEquals("data/fashion-mnist", e.data().dir());
            assertEquals("cosine", e.finetune().schedule());
            assertTrue(e.finetune().lora().rslora());
        }

        @Test
        void textKeysKeepTheTextAsWritten() {
            assertEquals("yes", parse("{}", "name=yes").name());
            assertEquals("001", parse("{}", "name=001").name());
        }

        @Test
        void applyBeforeValidation() {
            Experiment e = parse("finetune:\n  lora:\n    rank: 600\n    targets: [fc4]\n", "finetune.lora.rank=8");
            assertEquals(8, e.finetune().lora().rank());
            // later overrides win
            assertEquals(3, parse("{}", "seed=1", "seed=3").seed());
        }

        @Test
        void theNameOverrideReplacesTheFileName() {
            assertEquals("other", parse("name: x\n", "name=other").name());
        }

        @Test
        void sweepAxesCanBeSetAndTheSweepDropped() {
            Experiment e = parse("sweep:\n  finetune.lora.rank: [1, 2]\n", "sweep.finetune.lora.alpha=[8, 16]");
            assertEquals(List.of("finetune.lora.rank", "finetune.lora.alpha"), List.copyOf(e.sweep().axes().keySet()));
            assertTrue(parse("sweep:\n  finetune.lora.rank: [1, 2]\n", "sweep=null").sweep().isEmpty());
        }

        @Test
        void badOverridesNameTheOverride() {
            assertEquals("override 'finetune.lora.rank=0': finetune.lora.rank: must be an integer >= 1, got 0",
                    error("{}", "finetune.lora.rank=0"));
            assertEquals("override 'finetune.lora.rnk=4': finetune.lora.rnk: unknown key (did you mean"
                    + " 'finetune.lora.rank'?)", error("{}", "finetune.lora.rnk=4"));
            assertEquals("override 'rank=4': rank: unknown key (did you mean 'finetune.lora.rank'?)",
                    error("{}", "rank=4"));
            assertEquals("override 'seed': expected key=value, e.g. finetune.lora.rank=8", error("{}", "seed"));
            assertEquals("override 'seed=': seed: no value after '='", error("{}", "seed="));
            assertStarts("override 'finetune.lora=3': finetune.lora: is a section, not a value",
                    error("{}", "finetune.lora=3"));
            assertEquals("override 'finetune.lora.targets=fc4': finetune.lora.targets: must be a non-empty list of"
                    + " layer names, e.g. [fc1, fc2, fc3, fc4], got the text 'fc4'", error("{}", "finetune.lora.targets=fc4"));
            assertStarts("override 'seed=[1, 2': seed: invalid YAML:", error("{}", "seed=[1, 2"));
        }
    }

    @Nested
    class Errors {

        @Test
        void rankBelowOneWithLineAndColumn() {
            String yaml = """
                    name: x
                    seed: 1
                    pretrain:
                      epochs: 1
                    finetune:
                      lora:
                        rank: -3
                    """;
            assertEquals("experiments/x.yaml:7:11: finetune.lora.rank: must be an integer >= 1, got -3", error(yaml));
            assertEquals("experiments/x.yaml:3:11: finetune.lora.rank: must be an integer >= 1, got 0",
                    error("finetune:\n  lora:\n    rank: 0\n"));
        }

        @Test
        void unknownKeyWithSuggestion() {
            assertEquals("experiments/x.yaml:4:5: finetune.lora.rnak: unknown key (did you mean 'rank'?); the keys of"
                            + " finetune.lora are rank, alpha, targets, bias, dropout, rslora",
                    error("finetune:\n  epochs: 3\n  lora:\n    rnak: 4\n"));
            assertStarts("experiments/x.yaml:2:3: pretrain.batch_size: unknown key (did you mean 'batch-size'?)",
                    error("pretrain:\n  batch_size: 3\n"));
            assertStarts("experiments/x.yaml:1:1: lora: unknown key (did you mean 'finetune.lora'?)",
                    error("lora: {rank: 3}\n"));
            assertStarts("experiments/x.yaml:1:1: finetune.lora.rank: unknown key (dotted keys are for overrides and"
                    + " sweep; in a file nest it: finetune: { lora: { rank: … } })", error("finetune.lora.rank: 3\n"));
            assertEquals("experiments/x.yaml:1:1: zzz: unknown key; the keys at the top level are name, backend, seed,"
                    + " data, model, pretrain, finetune, sweep", error("zzz: 1\n"));
        }

        @Test
        void wrongTypes() {
            assertEquals("experiments/x.yaml:2:11: pretrain.epochs: must be an integer between 0 and 1000, got the text"
                    + " 'ten'", error("pretrain:\n  epochs: ten\n"));
            assertEquals("experiments/x.yaml:2:15: pretrain.batch-size: must be an integer between 1 and 65536, got 1.5",
                    error("pretrain:\n  batch-size: 1.5\n"));
            assertEquals("experiments/x.yaml:2:12: finetune.classes: must be a list of classes 0..9, e.g. [8, 9], got 8",
                    error("finetune:\n  classes: 8\n"));
            assertEquals("experiments/x.yaml:1:8: model: must be a mapping with the keys hidden, dropout, got the list"
                    + " [512, 256]", error("model: [512, 256]\n"));
            assertEquals("experiments/x.yaml:2:16: finetune.lora.bias: must be true or false, got the text 'maybe'",
                    error("finetune:\n  lora: {bias: maybe}\n"));
            assertEquals("experiments/x.yaml:1:6: seed: must be an integer (64-bit), got nothing (an empty value)",
                    error("seed:\nname: x\n"));
            assertEquals("experiments/x.yaml:1:17: data.dataset: must be one of mnist, fashion-mnist, idx, image-folder, got the text"
                    + " 'fasion-mnist' (did you mean 'fashion-mnist'?)", error("data: {dataset: fasion-mnist}\n"));
            assertEquals("experiments/x.yaml: an experiment file must be a mapping of keys (name:, model:,"
                    + " pretrain:, …), got the list [1, 2]", error("[1, 2]\n"));
        }

        @Test
        void outOfRange() {
            assertStarts("experiments/x.yaml:1:18: model.dropout: must be a number in [0, 1), got 1",
                    error("model: {dropout: 1}\n"));
            assertStarts("experiments/x.yaml:1:27: pretrain.learning-rate: must be a number in (0, 10], got 0",
                    error("pretrain: {learning-rate: 0}\n"));
            assertStarts("experiments/x.yaml:1:26: finetune.lora.alpha: must be a number > 0, got -1",
                    error("finetune: {lora: {alpha: -1}}\n"));
            assertStarts("experiments/x.yaml:1:20: data.validation: must be an integer between 0 and 20000, got 60000",
                    error("data: {validation: 60000}\n"));
            assertStarts("experiments/x.yaml:1:17: model.hidden: must be a list of 1 to 8 hidden-layer widths",
                    error("model: {hidden: []}\n"));
            assertStarts("experiments/x.yaml:1:38: pretrain.warmup-epochs: must be at most pretrain.epochs (2), got 3",
                    error("pretrain: {epochs: 2, warmup-epochs: 3}\n"));
            assertStarts("experiments/x.yaml:1:7: name: must be lower-case letters", error("name: My Run\n"));
        }

        @Test
        void classes() {
            assertEquals("experiments/x.yaml:2:19: pretrain.classes[2]: must be a class between 0 and 9, got 10",
                    error("pretrain:\n  classes: [0, 1, 10]\n"));
            assertEquals("experiments/x.yaml:1:28: pretrain.classes[2]: repeats class 1; list each class once",
                    error("pretrain: {classes: [0, 1, 1]}\n"));
            assertEquals("experiments/x.yaml:1:21: pretrain.classes: must list at least one class (0..9), got []",
                    error("pretrain: {classes: []}\n"));
        }

        @Test
        void overlappingClasses() {
            assertEquals("experiments/x.yaml:4:12: finetune.classes: overlaps pretrain.classes in [7]; fine-tuning must"
                            + " teach classes the base has not seen (finetune.replay mixes old classes back in), or set"
                            + " finetune.method: none",
                    error("pretrain:\n  classes: [0, 1, 2, 3, 4, 5, 6, 7]\nfinetune:\n  classes: [7, 8]\n"));
            // the default [8, 9] against pretraining on every digit
            assertStarts("experiments/x.yaml:1:21: finetune.classes: (the default [8, 9]) overlaps pretrain.classes in"
                    + " [8, 9]", error("pretrain: {classes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]}\n"));
            // with method none nothing is fine-tuned, so no overlap to speak of
            assertEquals(FinetuneMethod.NONE, parse("pretrain: {classes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]}\n"
                    + "finetune: {method: none}\n").finetune().method());
            assertEquals("experiments/x.yaml:1:43: finetune.replay-classes[1]: class 8 is not one of pretrain.classes"
                            + " [0, 1, 2, 3, 4, 5, 6, 7]; replay-classes must be old classes (empty = all of them)",
                    error("finetune: {replay: 1, replay-classes: [0, 8]}\n"));
        }

        @Test
        void badTargetNamesTheLayers() {
            assertEquals("experiments/x.yaml:3:20: finetune.lora.targets[1]: 'fc9' is not a layer of the model; its"
                            + " layers are fc1, fc2, fc3, fc4",
                    error("finetune:\n  lora:\n    targets: [fc1, fc9]\n"));
            assertEquals("experiments/x.yaml:2:29: finetune.lora.targets[0]: 'fc4' is not a layer of the model; its"
                    + " layers are fc1, fc2", error("model: {hidden: [64]}\nfinetune: {lora: {targets: [fc4]}}\n"));
            assertEquals("experiments/x.yaml:1:29: finetune.lora.targets[0]: 'FC1' is not a layer of the model; its"
                    + " layers are fc1, fc2, fc3, fc4 (did you mean 'fc1'?)", error("finetune: {lora: {targets: [FC1]}}\n"));
        }

        @Test
        void rankTooLargeForATargetedLayer() {
            assertEquals("experiments/x.yaml:4:11: finetune.lora.rank: must be at most 128 for the targeted layer fc4"
                            + " (128 inputs, 10 outputs; an update there has rank at most 10), got 600",
                    error("finetune:\n  lora:\n    targets: [fc4]\n    rank: 600\n"));
            // r = 16 on fc4 (128 -> 10) is the original project's own setup, as PEFT allows
            assertEquals(16, parse("finetune: {lora: {targets: [fc4]}}\n").finetune().lora().rank());
            // only for method lora
            assertEquals(600, parse("finetune: {method: full, lora: {rank: 600, targets: [fc4]}}\n")
                    .finetune().lora().rank());
        }

        @Test
        void duplicateKeys() {
            assertEquals(List.of(
                    "experiments/x.yaml:2:1: seed: duplicate key 'seed' (first given at line 1, column 1); give each key once",
                    "experiments/x.yaml:5:3: finetune.epochs: duplicate key 'epochs' (first given at line 4, column 3);"
                            + " give each key once"),
                    errors("seed: 1\nseed: 2\nfinetune:\n  epochs: 1\n  epochs: 2\n"));
        }

        @Test
        void allProblemsAtOnceInFileOrder() {
            List<String> lines = errors("""
                    seed: 1.5
                    model:
                      hidden: [512, 0]
                    finetune:
                      lora:
                        rank: -3
                        rnak: 4
                      classes: [7, 10]
                    pretrain:
                      schedule: cosin
                    """);
            assertEquals(6, lines.size(), String.join("\n", lines));
            assertStarts("experiments/x.yaml:1:7: seed:", lines.get(0));
            assertStarts("experiments/x.yaml:3:17: model.hidden[1]:", lines.get(1));
            assertStarts("experiments/x.yaml:6:11: finetune.lora.rank:", lines.get(2));
            assertStarts("experiments/x.yaml:7:5: finetune.lora.rnak:", lines.get(3));
            assertStarts("experiments/x.yaml:8:16: finetune.classes[1]:", lines.get(4));
            assertEquals("experiments/x.yaml:10:13: pretrain.schedule: must be one of constant, cosine, got the text"
                    + " 'cosin' (did you mean 'cosine'?)", lines.get(5));
        }

        @Test
        void syntaxErrorsAreLocated() {
            assertStarts("experiments/x.yaml:2:2: invalid YAML: while parsing a flow sequence (begun at line 1, column 4)",
                    error("a: [1, 2\nb: 3\n"));
            assertEquals("experiments/x.yaml:2:3: invalid YAML: mapping values are not allowed here", error("a: 1\n b: 2\n"));
            assertStarts("experiments/x.yaml:3:1: more than one YAML document", error("seed: 1\n---\nseed: 2\n"));
            assertStarts("experiments/x.yaml:1:7: seed: YAML tags (!!int) are not supported", error("seed: !!int 5\n"));
        }
    }

    @Nested
    class Safety {

        @Test
        void billionLaughsFailsFast() {
            String bomb = """
                    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
                    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
                    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
                    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
                    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
                    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
                    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
                    h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
                    i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
                    """;
            String message = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> error(bomb));
            assertEquals("experiments/x.yaml:2:8: b[0]: YAML aliases (*a) are not allowed in experiment files (they can"
                    + " expand exponentially, as in the \"billion laughs\" attack); write the value out", message);
        }

        @Test
        void deepNestingIsRefused() {
            String deep = "a: " + "[".repeat(40) + "]".repeat(40) + "\n";
            assertContains("nested more than 16 levels deep", error(deep));
        }

        @Test
        void oversizeFileIsRefused(@TempDir Path dir) throws IOException {
            Path big = dir.resolve("big.yaml");
            Files.writeString(big, "# " + "x".repeat(ExperimentParser.MAX_FILE_BYTES) + "\n{}\n");
            ExperimentException e = assertThrows(ExperimentException.class, () -> ExperimentParser.parse(big, List.of()));
            assertEquals(big + ": too large: 1048582 bytes; experiment files are limited to 1 MiB (1048576 bytes)",
                    e.getMessage());
            String text = "# " + "x".repeat(ExperimentParser.MAX_FILE_BYTES) + "\n{}\n";
            assertStarts("experiments/x.yaml: too large:", error(text));
        }

        @Test
        void filesAreReadAndNamed(@TempDir Path dir) throws IOException {
            Path file = dir.resolve("lora-r8.yaml");
            Files.writeString(file, "finetune:\n  lora:\n    rank: 8\n");
            Experiment e = ExperimentParser.parse(file, List.of("seed=3"));
            assertEquals("lora-r8", e.name());
            assertEquals(8, e.finetune().lora().rank());
            assertEquals(3, e.seed());

            Files.writeString(file, "finetune:\n  lora:\n    rank: 0\n");
            ExperimentException bad = assertThrows(ExperimentException.class, () -> ExperimentParser.parse(file, List.of()));
            assertEquals(file + ":3:11: finetune.lora.rank: must be an integer >= 1, got 0", bad.getMessage());
            assertEquals(new Problem(file + ":3:11", "finetune.lora.rank", "must be an integer >= 1, got 0"),
                    bad.problems().get(0));

            Path missing = dir.resolve("missing.yaml");
            assertEquals(missing + ": no such file",
                    assertThrows(ExperimentException.class, () -> ExperimentParser.parse(missing, List.of())).getMessage());

            Files.write(file, new byte[] {'a', ':', ' ', (byte) 0xff, '\n'});
            assertEquals(file + ": not UTF-8 text; save the file as UTF-8",
                    assertThrows(ExperimentException.class, () -> ExperimentParser.parse(file, List.of())).getMessage());
            Files.writeString(file, "name: é\n", StandardCharsets.UTF_8);
            assertStarts(file + ":1:7: name: must be lower-case letters",
                    assertThrows(ExperimentException.class, () -> ExperimentParser.parse(file, List.of())).getMessage());
        }
    }

    @Nested
    class Sweeps {

        @Test
        void emptySweep() {
            assertEquals("experiments/x.yaml:2:8: sweep: " + TreeReader.EMPTY_SWEEP, error("seed: 1\nsweep: {}\n"));
            assertEquals("experiments/x.yaml:1:7: sweep: " + TreeReader.EMPTY_SWEEP, error("sweep:\n"));
        }

        @Test
        void aValueTheKeyWouldReject() {
            assertEquals(List.of(
                    "experiments/x.yaml:2:30: sweep.finetune.lora.rank[2]: must be an integer >= 1, got 0",
                    "experiments/x.yaml:2:33: sweep.finetune.lora.rank[3]: must be at most 128 for the targeted layer"
                            + " fc4 (128 inputs, 10 outputs; an update there has rank at most 10), got 600"),
                    errors("sweep:\n  finetune.lora.rank: [1, 2, 0, 600]\n"));
            assertEquals("experiments/x.yaml:2:18: sweep.model.hidden[0]: must be a list of 1 to 8 hidden-layer widths,"
                    + " e.g. [512, 256, 128], got 256; each value of a sweep replaces the whole list, so give a list of"
                    + " lists, e.g. [[…], […]]", error("sweep:\n  model.hidden: [256, [128, 64]]\n"));
            assertEquals("experiments/x.yaml:2:27: sweep.pretrain.classes[1]: finetune.classes: (the default [8, 9]) overlaps pretrain.classes"
                            + " in [8]; fine-tuning must teach classes the base has not seen (finetune.replay mixes old"
                            + " classes back in), or set finetune.method: none",
                    error("sweep:\n  pretrain.classes: [[0], [0, 8]]\n"));
        }

        @Test
        void anUnknownKey() {
            assertEquals("experiments/x.yaml:3:3: sweep.finetune.lora.rnk: unknown key (did you mean"
                            + " 'finetune.lora.rank'?); sweep keys are dotted paths of settings, such as finetune.lora.rank",
                    error("sweep:\n  finetune.lora.rank: [1, 2]\n  finetune.lora.rnk: [1]\n"));
            assertStarts("experiments/x.yaml:2:3: sweep.finetune: is a section", error("sweep:\n  finetune: {epochs: [1]}\n"));
            assertStarts("experiments/x.yaml:2:3: sweep.name: the name cannot be swept", error("sweep:\n  name: [a, b]\n"));
        }

        @Test
        void notAListOrRepeated() {
            assertStarts("experiments/x.yaml:2:23: sweep.finetune.lora.rank: must be a non-empty list of the values to"
                    + " try", error("sweep:\n  finetune.lora.rank: 4\n"));
            assertStarts("experiments/x.yaml:2:27: sweep.finetune.lora.rank[1]: repeats the value 4",
                    error("sweep:\n  finetune.lora.rank: [4, 4]\n"));
        }

        @Test
        void invalidCombinationsNameTheTrial() {
            // hidden [8] with rank 16 is too much for fc2 (8 -> 10); rank 4 is fine, hidden [512] is fine
            assertEquals("experiments/x.yaml:2:3: sweep: trial 3 (hidden=8,rank=16) is invalid: finetune.lora.rank: must"
                            + " be at most 10 for the targeted layer fc2 (8 inputs, 10 outputs; an update there has rank"
                            + " at most 8), got 16",
                    error("sweep:\n  model.hidden: [[512], [8]]\n  finetune.lora.rank: [4, 16]\n"));
            // a value bad with every value of the other axes is that value's
            assertEquals("experiments/x.yaml:2:25: sweep.model.hidden[1]: finetune.lora.rank: must be at most 10 for the"
                            + " targeted layer fc2 (8 inputs, 10 outputs; an update there has rank at most 8), got 16",
                    error("sweep:\n  model.hidden: [[512], [8]]\n  finetune.lora.rank: [16]\n"));
            // a value bad on its own is reported at the value, whatever the other axes hold
            assertEquals("experiments/x.yaml:3:24: sweep.finetune.lora.rank[0]: must be an integer >= 1, got -3",
                    error("sweep:\n  finetune.lora.alpha: [8, 16]\n  finetune.lora.rank: [-3, 4]\n"));
        }

        @Test
        void tooManyTrials() {
            StringBuilder values = new StringBuilder("[0");
            for (int i = 1; i <= 100; i++) values.append(", ").append(i);
            values.append("]");
            assertEquals("experiments/x.yaml:2:3: sweep: has 10201 trials; a sweep may have at most 10000",
                    error("sweep:\n  seed: " + values + "\n  finetune.epochs: " + values + "\n"));
        }
    }
}
