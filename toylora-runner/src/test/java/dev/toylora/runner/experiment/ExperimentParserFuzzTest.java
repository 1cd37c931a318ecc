package dev.toylora.runner.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes the experiment parser with arbitrary text (seed corpus in
 * {@code src/test/resources/dev/toylora/runner/experiment/ExperimentParserFuzzTestInputs/}: the committed experiment
 * files and broken variants). Lines {@code #override key=value} in the input are passed as command-line overrides
 * too. The parser either returns an experiment that reads back equal from its own YAML, or throws an
 * {@link ExperimentException} whose every line names the file or the override; anything else — a Jackson or
 * SnakeYAML exception leaking out, a stack overflow, running out of memory — is a bug.
 */
class ExperimentParserFuzzTest {
    static final String SOURCE = "experiments/fuzz.yaml";

    @FuzzTest(maxDuration = "20s")
    void parsesOrRefusesClearly(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        List<String> overrides = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("#override ")) overrides.add(line.substring("#override ".length()));
        }
        Experiment experiment;
        try {
            experiment = ExperimentParser.parse(text, SOURCE, overrides);
        } catch (ExperimentException e) {
            assertFalse(e.problems().isEmpty());
            for (Problem p : e.problems()) {
                assertTrue(p.location().startsWith(SOURCE) || p.location().startsWith("override '"), p.toString());
                assertFalse(p.message().isBlank(), p.toString());
            }
            return;
        }
        String yaml = ExperimentParser.toYaml(experiment);
        assertEquals(experiment, ExperimentParser.parse(yaml, SOURCE, List.of()), yaml);
    }
}
