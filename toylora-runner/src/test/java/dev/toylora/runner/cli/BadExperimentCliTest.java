package dev.toylora.runner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every way an experiment file can be wrong, through the command line: exit code 2, one clear message that
 * names the file, the line and column, the key and what was expected, no stack trace, nothing trained or
 * written — both when running and with {@code validate}.
 */
class BadExperimentCliTest {
    @TempDir
    Path dir;

    static Stream<Arguments> badExperiments() {
        String bomb = """
                a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
                b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
                c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
                d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
                e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
                f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
                g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
                """;
        return Stream.of(
                Arguments.of("unknown key", "finetune:\n  lora:\n    rnak: 4\n", List.of(),
                        List.of("bad.yaml:3:5: finetune.lora.rnak: unknown key (did you mean 'rank'?)")),
                Arguments.of("unknown top-level key", "pretrian:\n  epochs: 1\n", List.of(),
                        List.of("bad.yaml:1:1: pretrian: unknown key (did you mean 'pretrain'?)")),
                Arguments.of("wrong type", "pretrain:\n  epochs: ten\n", List.of(),
                        List.of("bad.yaml:2:11: pretrain.epochs: must be an integer between 0 and 1000, got the text 'ten'")),
                Arguments.of("wrong type of section", "model: [512, 256]\n", List.of(),
                        List.of("bad.yaml:1:8: model: must be a mapping with the keys hidden, dropout")),
                Arguments.of("out of range", "model: {dropout: 1}\n", List.of(),
                        List.of("bad.yaml:1:18: model.dropout: must be a number in [0, 1), got 1")),
                Arguments.of("learning rate out of range", "pretrain: {learning-rate: 0}\n", List.of(),
                        List.of("bad.yaml:1:27: pretrain.learning-rate: must be a number in (0, 10], got 0")),
                Arguments.of("overlapping classes", "finetune:\n  classes: [7, 8]\n", List.of(),
                        List.of("bad.yaml:2:12: finetune.classes: overlaps pretrain.classes in [7]")),
                Arguments.of("no classes", "pretrain: {classes: []}\n", List.of(),
                        List.of("bad.yaml:1:21: pretrain.classes: must list at least one class (0..9), got []")),
                Arguments.of("class out of range", "finetune: {classes: [8, 10]}\n", List.of(),
                        List.of("bad.yaml:1:25: finetune.classes[1]: must be a class between 0 and 9, got 10")),
                Arguments.of("rank too large for a targeted layer", "model: {hidden: [8]}\nfinetune: {lora: {rank: 16, targets: [fc2]}}\n",
                        List.of(), List.of("bad.yaml:2:25: finetune.lora.rank: must be at most 10 for the targeted layer fc2")),
                Arguments.of("empty sweep", "sweep: {}\n", List.of(), List.of("bad.yaml:1:8: sweep: empty sweep;")),
                Arguments.of("sweep value the key rejects", "sweep:\n  finetune.lora.rank: [4, 0]\n", List.of(),
                        List.of("bad.yaml:2:27: sweep.finetune.lora.rank[1]: must be an integer >= 1, got 0")),
                Arguments.of("YAML bomb", bomb, List.of(), List.of("bad.yaml:2:8: b[0]: YAML aliases (*a) are not allowed")),
                Arguments.of("oversize file", "# " + "x".repeat(1 << 20) + "\n{}\n", List.of(),
                        List.of("bad.yaml: too large: 1048582 bytes; experiment files are limited to 1 MiB")),
                Arguments.of("invalid YAML", "a: [1, 2\nb: 3\n", List.of(), List.of("bad.yaml:2:2: invalid YAML: while parsing a flow sequence")),
                Arguments.of("duplicate key", "seed: 1\nseed: 2\n", List.of(), List.of("bad.yaml:2:1: seed: duplicate key 'seed'")),
                Arguments.of("bad override", "{}\n", List.of("finetune.lora.rank=0"),
                        List.of("override 'finetune.lora.rank=0': finetune.lora.rank: must be an integer >= 1, got 0")),
                Arguments.of("unknown override key", "{}\n", List.of("finetune.lora.rnak=4"),
                        List.of("override 'finetune.lora.rnak=4': finetune.lora.rnak: unknown key (did you mean 'finetune.lora.rank'?)")),
                Arguments.of("unknown backend", "backend: cuda\n", List.of(), List.of("bad.yaml:1:10: backend: no backend named 'cuda'", "ojalgo")),
                Arguments.of("unknown backend by override", "{}\n", List.of("backend=cuda"),
                        List.of("override 'backend=cuda': backend: no backend named 'cuda'", "ojalgo")),
                Arguments.of("unknown backend in a sweep", "sweep:\n  backend: [ojalgo, cuda]\n", List.of(),
                        List.of("bad.yaml:2:12: sweep.backend: no backend named 'cuda'", "ojalgo")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badExperiments")
    void isRefusedBeforeAnythingRuns(String what, String yaml, List<String> overrides, List<String> expected) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        Path results = dir.resolve("results");
        List<String> args = new ArrayList<>(List.of("--no-progress", "--results", results.toString(), file.toString()));
        args.addAll(overrides);
        MainTest.Outcome run = MainTest.run(args.toArray(String[]::new));
        assertEquals(2, run.exit(), what + ": " + run.err());
        assertClear(what, run.err(), file, expected);
        assertFalse(Files.exists(results), what + ": nothing written");

        List<String> validateArgs = new ArrayList<>(List.of("validate", file.toString()));
        validateArgs.addAll(overrides);
        MainTest.Outcome validate = MainTest.run(validateArgs.toArray(String[]::new));
        assertEquals(2, validate.exit(), what + " (validate): " + validate.err());
        assertClear(what + " (validate)", validate.err(), file, expected);
    }

    @org.junit.jupiter.api.Test
    void aMissingFileAndADirectoryAreNamed() throws Exception {
        Path missing = dir.resolve("missing.yaml");
        Path folder = Files.createDirectory(dir.resolve("folder.yaml"));
        Path results = dir.resolve("results");
        for (String what : new String[] {"run", "validate"}) {
            for (Path file : List.of(missing, folder)) {
                MainTest.Outcome o = what.equals("run") ? MainTest.run("--results", results.toString(), file.toString())
                        : MainTest.run("validate", file.toString());
                assertEquals(2, o.exit(), o.err());
                assertClear(what + " " + file, o.err(), file, List.of(file.equals(missing) ? file + ": no such file"
                        : file + ": is a directory; expected an experiment file (YAML)"));
            }
        }
        assertFalse(Files.exists(results));
    }

    private static void assertClear(String what, String err, Path file, List<String> expected) {
        for (String part : expected) {
            String located = part.replace("bad.yaml", file.toString());
            assertTrue(err.contains(located), what + ": expected «" + located + "» in:\n" + err);
        }
        assertFalse(err.contains("\tat "), what + ": no stack trace:\n" + err);
        assertFalse(err.contains("Exception"), what + ": no exception class names:\n" + err);
    }
}
