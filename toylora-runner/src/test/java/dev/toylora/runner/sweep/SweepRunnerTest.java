package dev.toylora.runner.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyMap;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.spy;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toylora.runner.experiment.Experiment;
import dev.toylora.runner.experiment.ExperimentParser;
import dev.toylora.runner.experiment.Trial;
import dev.toylora.runner.pipeline.BaseCache;
import dev.toylora.runner.pipeline.ExperimentRunner;
import dev.toylora.runner.pipeline.FinetuneStage;
import dev.toylora.runner.pipeline.PretrainStage;
import dev.toylora.runner.pipeline.RunResult;
import dev.toylora.runner.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sweeps of tiny trials on the real MNIST (a 784→32→10 model, one epoch, no replay: a few seconds a trial):
 * one base for every trial, a second run that only reads, and a stopped sweep that finishes on the next run.
 */
@Tag("mnist")
class SweepRunnerTest {
    @TempDir
    Path results;

    static Path data;

    @BeforeAll
    static void findData() {
        data = Repository.mnist();
    }

    /** A 3-trial rank sweep of a tiny model. */
    static Experiment tiny(int pretrainEpochs, String... overrides) {
        return ExperimentParser.parse("""
                name: tiny-sweep
                seed: 7
                data: { dir: "%s" }
                model: { hidden: [32] }
                pretrain: { epochs: %d }
                finetune: { epochs: 1, replay: 0, lora: { targets: [fc1, fc2] } }
                sweep:
                  finetune.lora.rank: [1, 2, 4]
                """.formatted(data.toString().replace("\\", "/"), pretrainEpochs), "tiny-sweep.yaml", List.of(overrides));
    }

    static List<Integer> csvIndexes(Path sweepDir) throws Exception {
        return Files.readAllLines(sweepDir.resolve(SweepSummary.CSV)).stream().skip(1).map(l -> Integer.parseInt(l.split(",")[0])).toList();
    }

    /** Folders in the sweep's directory other than staging ones (hidden) and the shared bases/. */
    static List<String> trialFolders(Path sweepDir) throws Exception {
        try (Stream<Path> s = Files.list(sweepDir)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".") && !n.equals("bases")).sorted().toList();
        }
    }

    @Test
    void theBaseIsPretrainedOnceAndASecondRunOnlyReads() throws Exception {
        Experiment sweep = tiny(1);
        BaseCache cache = spy(new BaseCache(results.resolve(".cache").resolve("bases")));
        PretrainStage pretrain = spy(new PretrainStage(cache));
        ExperimentRunner runner = new ExperimentRunner(results, pretrain, new FinetuneStage(), TrainingListener.NONE);

        SweepRunner.Result first = new SweepRunner(runner).run(sweep);

        // the stage is asked for the base by every trial, but trains it (and stores it) once
        verify(pretrain, times(3)).run(any());
        verify(cache, times(1)).store(anyString(), anyMap(), anyMap());
        assertEquals(List.of(false, true, true), first.ran().values().stream().map(RunResult::baseCached).toList());
        assertEquals(List.of(0, 1, 2), first.ran().keySet().stream().map(Trial::index).toList());
        Path dir = results.resolve("tiny-sweep");
        assertEquals(dir, first.directory());
        assertEquals(List.of("rank=1", "rank=2", "rank=4"), trialFolders(dir));
        try (Stream<Path> bases = Files.list(dir.resolve("bases"))) {
            assertEquals(1, bases.count(), "the trials share one base checkpoint");
        }
        assertEquals(List.of(0, 1, 2), csvIndexes(dir));
        List<Long> trainable = first.table().rows().stream().map(SweepSummary.Row::trainable).toList();
        // LoRA on fc1 (784→32) and fc2 (32→10): r·(784+32) + r·(32+10) = 858·r
        assertEquals(List.of(858L, 1716L, 3432L), trainable);
        for (SweepSummary.Row row : first.table().rows()) {
            assertTrue(row.accuracy("new") > 0, "each trial learned something of 8–9: " + row.trial().label());
            assertTrue(row.wallSeconds() > 0);
        }
        JsonNode trialRecord = FakeTrials.JSON.readTree(dir.resolve("rank=2").resolve(TrialFolder.TRIAL).toFile());
        assertEquals(1, trialRecord.path("index").asInt());
        assertEquals(first.ran().keySet().stream().toList().get(1).seed(), trialRecord.path("finetune_seed").asLong());
        String csv = Files.readString(dir.resolve(SweepSummary.CSV));

        // Run again (a new runner, as a new process would): nothing trains, the table is the same.
        BaseCache cache2 = spy(new BaseCache(results.resolve(".cache").resolve("bases")));
        PretrainStage pretrain2 = spy(new PretrainStage(cache2));
        long started = System.nanoTime();
        SweepRunner.Result second = new SweepRunner(new ExperimentRunner(results, pretrain2, new FinetuneStage(), TrainingListener.NONE)).run(sweep);
        double seconds = (System.nanoTime() - started) / 1e9;
        verify(pretrain2, never()).run(any());
        assertTrue(second.ran().isEmpty());
        assertEquals(3, second.skipped().size());
        assertEquals(csv, Files.readString(dir.resolve(SweepSummary.CSV)));
        assertTrue(seconds < 30, "a finished sweep re-runs in seconds, took " + seconds);

        // A changed pretrain setting is another base: pretrained again, and the trial run again with it.
        Experiment changed = tiny(1, "pretrain.learning-rate=0.002", "sweep.finetune.lora.rank=[1]");
        BaseCache cache3 = spy(new BaseCache(results.resolve(".cache").resolve("bases")));
        SweepRunner.Result third = new SweepRunner(new ExperimentRunner(results, new PretrainStage(cache3), new FinetuneStage(),
                TrainingListener.NONE)).run(changed);
        verify(cache3, times(1)).store(anyString(), anyMap(), anyMap());
        assertEquals(1, third.ran().size());
        assertFalse(third.ran().values().iterator().next().baseCached());
        JsonNode metrics = FakeTrials.JSON.readTree(dir.resolve("rank=1").resolve(TrialFolder.METRICS).toFile());
        assertEquals(0.002, metrics.path("config").path("pretrain").path("learning-rate").asDouble());
        assertEquals(List.of(0), csvIndexes(dir));
        assertEquals(2, third.table().stale().size(), "rank=2 and rank=4 are not trials of the changed sweep: " + third.table().stale());
    }

    @Test
    void aStoppedSweepFinishesTheRestOnTheNextRun() throws Exception {
        Experiment sweep = tiny(0);
        Path dir = results.resolve("tiny-sweep");
        // the second trial's fine-tuning dies, as if the machine went away
        FinetuneStage dying = spy(new FinetuneStage());
        AtomicInteger calls = new AtomicInteger();
        doAnswer(invocation -> {
            if (calls.incrementAndGet() == 2) throw new IllegalStateException("simulated crash");
            return invocation.callRealMethod();
        }).when(dying).run(any(), any(), any());
        ExperimentRunner crashing = new ExperimentRunner(results, new PretrainStage(new BaseCache(results.resolve(".cache/bases"))),
                dying, TrainingListener.NONE);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new SweepRunner(crashing).run(sweep));
        assertEquals("simulated crash", e.getMessage());
        assertEquals(List.of("rank=1"), trialFolders(dir), "the finished trial stays; the one in progress left nothing");
        assertEquals(List.of(0), csvIndexes(dir), "the table was rewritten with what is finished");
        String firstMetrics = Files.readString(dir.resolve("rank=1").resolve(TrialFolder.METRICS));

        SweepRunner.Result resumed = new SweepRunner(ExperimentRunner.standard(results, TrainingListener.NONE)).run(sweep);
        assertEquals(List.of(0), resumed.skipped().stream().map(Trial::index).toList());
        assertEquals(List.of(1, 2), resumed.ran().keySet().stream().map(Trial::index).toList());
        resumed.ran().values().forEach(r -> assertTrue(r.baseCached(), "the base of the first run is reused"));
        assertEquals(List.of(0, 1, 2), csvIndexes(dir), "each trial exactly once, in order");
        assertEquals(firstMetrics, Files.readString(dir.resolve("rank=1").resolve(TrialFolder.METRICS)), "the finished trial was not redone");
        assertTrue(resumed.table().complete());
        assertEquals(List.of("rank=1", "rank=2", "rank=4"), trialFolders(dir));
    }
}
