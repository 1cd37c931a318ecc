package dev.toylora.runner.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toylora.runner.cli.Main;
import dev.toylora.runner.experiment.Experiment;
import dev.toylora.runner.experiment.ExperimentParser;
import dev.toylora.runner.experiment.SweepGrid;
import dev.toylora.runner.experiment.Trial;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The table rebuilt from trial folders: order, each trial once, folders that do not count, merge. */
class SweepSummaryTest {
    @TempDir
    Path dir;

    static final Experiment RANKS = FakeTrials.parse("seed: 3\nsweep:\n  finetune.lora.rank: [1, 2, 4, 8, 16]\n");

    static List<String> csvLines(Path sweepDir) throws Exception {
        return Files.readAllLines(sweepDir.resolve(SweepSummary.CSV));
    }

    static List<Integer> csvIndexes(Path sweepDir) throws Exception {
        return csvLines(sweepDir).stream().skip(1).map(l -> Integer.parseInt(l.split(",")[0])).toList();
    }

    @Test
    void rowsFollowTheTrialsEachOnceAndOnlyMatchingFoldersCount() throws Exception {
        List<Trial> trials = SweepGrid.trials(RANKS);
        // written out of order, as shards would
        for (int i : new int[] {4, 0, 2}) FakeTrials.write(dir, trials.get(i));
        // trial 3's folder is from other settings (another fine-tuning seed): it must run again, not be counted
        FakeTrials.write(dir, trials.get(3), ExperimentParser.toJsonNode(trials.get(3).experiment()), 12345L);
        // a folder from an older grid
        Trial foreign = SweepGrid.trials(FakeTrials.parse("seed: 3\nsweep:\n  finetune.lora.rank: [128]\n")).get(0);
        FakeTrials.write(dir, foreign);
        // a staging folder left by an interrupted run is not looked at
        Files.createDirectories(dir.resolve(".rank=2.123456"));

        SweepSummary.Table table = SweepSummary.rebuild(dir, RANKS, t -> TrialFolder.Expectation.NONE);

        assertEquals(List.of(0, 2, 4), table.rows().stream().map(r -> r.trial().index()).toList());
        assertEquals(List.of("rank=2", "rank=8"), table.missing());
        assertEquals(2, table.stale().size(), table.stale().toString());
        assertTrue(table.stale().get(0).startsWith("rank=8: it was fine-tuned with seed 12345"), table.stale().toString());
        assertTrue(table.stale().get(1).startsWith("rank=128: not a trial"), table.stale().toString());

        assertEquals(List.of(0, 2, 4), csvIndexes(dir));
        List<String> header = Arrays.asList(csvLines(dir).get(0).split(","));
        assertEquals(List.of("index", "trial", "finetune.lora.rank", "finetune_seed", "trainable_parameters", "total_parameters",
                "trainable_percent"), header.subList(0, 7));
        assertTrue(header.containsAll(List.of("class_0", "class_9", "overall", "old", "new", "base_old", "old_drop",
                "finetune_seconds", "wall_seconds")), header.toString());
        List<String> row = Arrays.asList(csvLines(dir).get(2).split(","));
        assertEquals("rank=4", row.get(header.indexOf("trial")));
        assertEquals("4", row.get(header.indexOf("finetune.lora.rank")));
        assertEquals(String.valueOf(trials.get(2).seed()), row.get(header.indexOf("finetune_seed")));
        assertEquals("3000", row.get(header.indexOf("trainable_parameters")));
        assertEquals("97.20", row.get(header.indexOf("old")));
        assertEquals("1.30", row.get(header.indexOf("old_drop")));
        assertEquals("1.75", row.get(header.indexOf("wall_seconds")), "without trial.json: the stages' seconds");

        JsonNode json = FakeTrials.JSON.readTree(dir.resolve(SweepSummary.JSON_FILE).toFile());
        assertEquals("toylora.sweep/1", json.path("schema").asText());
        assertEquals(5, json.path("trials").asInt());
        assertEquals(3, json.path("finished").asInt());
        assertEquals(List.of(0, 2, 4), json.path("rows").findValues("index").stream().map(JsonNode::asInt).toList());
        assertEquals(4, json.path("rows").get(1).path("values").path("finetune.lora.rank").asInt());
        assertEquals("rank=2", json.path("missing").get(0).asText());
        for (String f : List.of(SweepSummary.PNG, SweepSummary.SVG)) assertTrue(Files.size(dir.resolve(f)) > 1000, f);
    }

    @Test
    void aFolderFromAnotherDataFolderStillCountsButNotFromOtherSettingsOrData() throws Exception {
        Trial t = SweepGrid.trials(RANKS).get(0);
        ObjectNode config = ExperimentParser.toJsonNode(t.experiment());
        ((ObjectNode) config.get("data")).put("dir", "/elsewhere/mnist");
        FakeTrials.write(dir, t, config, t.seed());
        JsonNode metrics = FakeTrials.JSON.readTree(dir.resolve("rank=1/metrics.json").toFile());
        assertEquals(null, TrialFolder.mismatch(t, metrics, TrialFolder.Expectation.NONE));
        assertEquals(null, TrialFolder.mismatch(t, metrics, new TrialFolder.Expectation(Map.of("train-images-idx3-ubyte", "abc"), "test")));
        assertTrue(TrialFolder.mismatch(t, metrics, new TrialFolder.Expectation(Map.of("train-images-idx3-ubyte", "xyz"), null))
                .contains("other data"));
        assertTrue(TrialFolder.mismatch(t, metrics, new TrialFolder.Expectation(null, "2.0")).contains("backend version"));

        ObjectNode otherLr = ExperimentParser.toJsonNode(t.experiment());
        ((ObjectNode) otherLr.get("pretrain")).put("learning-rate", 0.002);
        FakeTrials.write(dir, t, otherLr, t.seed());
        metrics = FakeTrials.JSON.readTree(dir.resolve("rank=1/metrics.json").toFile());
        String why = TrialFolder.mismatch(t, metrics, TrialFolder.Expectation.NONE);
        assertTrue(why != null && why.contains("pretrain.learning-rate"), why);
    }

    @Test
    void mergeRebuildsFromTheDefinitionAndSaysWhatIsMissing() throws Exception {
        Path sweepDir = dir.resolve(RANKS.name());
        SweepSummary.writeDefinition(sweepDir, RANKS);
        List<Trial> trials = SweepGrid.trials(RANKS);
        for (int i = 0; i < 4; i++) FakeTrials.write(sweepDir, trials.get(i));

        StringWriter out = new StringWriter(), err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "merge", sweepDir.toString());
        assertEquals(1, exit, "a trial is missing: " + err);
        assertTrue(err.toString().contains("rank=16"), err.toString());
        assertEquals(List.of(0, 1, 2, 3), csvIndexes(sweepDir));

        FakeTrials.write(sweepDir, trials.get(4));
        out = new StringWriter();
        err = new StringWriter();
        exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "merge", sweepDir.toString());
        assertEquals(0, exit, err.toString());
        assertTrue(out.toString().contains("5 of 5 trials") && out.toString().contains("| rank=16 |"), out.toString());
        assertEquals(List.of(0, 1, 2, 3, 4), csvIndexes(sweepDir));
        // merging again changes nothing
        String before = Files.readString(sweepDir.resolve(SweepSummary.CSV));
        assertEquals(0, Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), "merge", sweepDir.toString()));
        assertEquals(before, Files.readString(sweepDir.resolve(SweepSummary.CSV)));
    }

    @Test
    void mergeRefusesAFolderThatIsNotASweep() throws Exception {
        Files.createDirectories(dir.resolve("lora-r16"));
        StringWriter out = new StringWriter(), err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "merge", dir.resolve("lora-r16").toString());
        assertEquals(2, exit);
        assertTrue(err.toString().contains("not a sweep's results folder"), err.toString());
        assertFalse(err.toString().contains("\tat "), err.toString());
    }

    @Test
    void listValuesAreJoinedWithPlus() {
        assertEquals("fc1+fc2", SweepSummary.render(List.of("fc1", "fc2")));
        assertEquals("0.5", SweepSummary.render(0.50));
        assertEquals("none", SweepSummary.render(List.of()));
    }
}
