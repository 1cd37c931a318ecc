package dev.toylora.runner.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.api.AdapterSet;
import dev.toylora.api.Batch;
import dev.toylora.api.Network;
import dev.toylora.io.safetensors.CheckpointMetadata;
import dev.toylora.io.safetensors.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Requests for different adapters share one pass, and each still gets exactly what its adapter alone gives. */
class BatcherTest {
    static final int IMAGES = 3;

    static Models models(boolean merged) throws IOException {
        return models(merged, 1);
    }

    static Models models(boolean merged, int copies) throws IOException {
        Models models = new Models(Fixtures.java(), Fixtures.base(), copies, merged, 8);
        for (var e : Fixtures.adapters().entrySet()) models.load(e.getKey(), Files.readAllBytes(e.getValue()), e.getKey());
        return models;
    }

    static float[] features(long seed, int images) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] f = new float[images * 784];
        for (int i = 0; i < f.length; i++) f[i] = (float) (random.nextDouble() * 3 - 0.4);
        return f;
    }

    static Batcher.Selection one(Models models, String name) {
        Models.Loaded a = models.get(name).orElseThrow();
        return new Batcher.Selection(name, a.id() + ":1", List.of(a), List.of(1.0));
    }

    /** The logits of the base with {@code adapter} attached alone, through AdapterSet.use, on a network of its own. */
    static float[] alone(Models models, String adapter, float[] features, int images) throws IOException {
        Network network = Fixtures.java().restore(models.spec(), Safetensors.read(Fixtures.base()).tensors());
        AdapterSet set = new AdapterSet(network);
        if (adapter != null) {
            Safetensors.Checkpoint file = Safetensors.read(Fixtures.adapters().get(adapter));
            set.add(adapter, CheckpointMetadata.loraSpec(file.metadata(), adapter), file.tensors());
            set.use(adapter);
        }
        float[] out = new float[images * 10];
        network.logits(new Batch(features, new int[images], images, 784), out);
        return out;
    }

    @ParameterizedTest
    @EnumSource(Batcher.Strategy.class)
    void concurrentRequestsForDifferentAdaptersShareOnePass(Batcher.Strategy strategy) throws Exception {
        Models models = models(strategy == Batcher.Strategy.MERGED);
        Limits limits = Limits.defaults().withBatching(256, 0, Duration.ofMillis(500));
        List<String> names = new ArrayList<>(Fixtures.adapters().keySet());
        names.add(null); // the base
        try (Batcher batcher = new Batcher(models, limits, strategy)) {
            List<Batcher.Job> jobs = new ArrayList<>();
            for (int j = 0; j < names.size(); j++) {
                String name = names.get(j);
                Batcher.Selection s = name == null ? Batcher.Selection.base() : one(models, name);
                Batcher.Job job = new Batcher.Job(features(j, IMAGES), IMAGES, List.of(s), System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
                batcher.submit(job);
                jobs.add(job);
            }
            for (int j = 0; j < jobs.size(); j++) {
                float[] got = jobs.get(j).answer.get(30, TimeUnit.SECONDS);
                float[] expected = alone(models, names.get(j), features(j, IMAGES), IMAGES);
                // The batched path sums in the same order as the adapter alone; a merged copy rounds W + s·B·A once more.
                float tolerance = strategy == Batcher.Strategy.MERGED ? 2e-3f : 1e-4f;
                assertArrayEquals(expected, got, tolerance, "adapter " + names.get(j) + " under " + strategy);
            }
            long expectedPasses = strategy == Batcher.Strategy.ALONE ? jobs.size() : 1;
            assertEquals(expectedPasses, batcher.passes(), strategy + ": passes for " + jobs.size() + " requests");
            assertEquals(jobs.size() * IMAGES, batcher.rowsDone());
        }
    }

    /** Two compute threads, each with its own copy of the base (and merged copies): the same answers as one adapter alone. */
    @ParameterizedTest
    @EnumSource(value = Batcher.Strategy.class, names = {"SHARED", "MERGED"})
    void twoComputeThreadsGiveEachRequestWhatItsAdapterAloneGives(Batcher.Strategy strategy) throws Exception {
        Models models = models(strategy == Batcher.Strategy.MERGED, 2);
        List<String> names = new ArrayList<>(Fixtures.adapters().keySet());
        try (Batcher batcher = new Batcher(models, Limits.defaults().withBatching(8, 0, Duration.ofMillis(1)), strategy)) {
            List<Batcher.Job> jobs = new ArrayList<>();
            for (int j = 0; j < 24; j++) {
                Batcher.Job job = new Batcher.Job(features(j, 2), 2, List.of(one(models, names.get(j % names.size()))), System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
                batcher.submit(job);
                jobs.add(job);
            }
            for (int j = 0; j < jobs.size(); j++) {
                float tolerance = strategy == Batcher.Strategy.MERGED ? 2e-3f : 1e-4f;
                assertArrayEquals(alone(models, names.get(j % names.size()), features(j, 2), 2), jobs.get(j).answer.get(60, TimeUnit.SECONDS), tolerance);
            }
        }
    }

    @Test
    void aMixIsTheWeightedSumOfTheUpdatesAndShareThePassWithOthers() throws Exception {
        Models models = models(false);
        Models.Loaded eight = models.get("eight").orElseThrow(), nine = models.get("nine").orElseThrow();
        Batcher.Selection mix = new Batcher.Selection("eight=1+nine=-0.5", eight.id() + ":1;" + nine.id() + ":-0.5", List.of(eight, nine), List.of(1.0, -0.5));
        try (Batcher batcher = new Batcher(models, Limits.defaults().withBatching(256, 0, Duration.ofMillis(500)), Batcher.Strategy.SHARED)) {
            Batcher.Job job = new Batcher.Job(features(7, 2), 2, List.of(mix, Batcher.Selection.base(), one(models, "eight")), System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
            batcher.submit(job);
            float[] got = job.answer.get(30, TimeUnit.SECONDS);

            Network network = Fixtures.java().restore(models.spec(), Safetensors.read(Fixtures.base()).tensors());
            AdapterSet set = new AdapterSet(network);
            set.add("eight", eight.spec(), eight.entry().weights());
            set.add("nine", nine.spec(), nine.entry().weights());
            set.addWeighted("mix", Map.of("eight", 1.0, "nine", -0.5), AdapterSet.Combination.CAT);
            set.use("mix");
            float[] expected = new float[20];
            network.logits(new Batch(features(7, 2), new int[2], 2, 784), expected);
            float[] mixed = java.util.Arrays.copyOfRange(got, 0, 20);
            assertArrayEquals(expected, mixed, 1e-4f);
            assertArrayEquals(alone(models, "eight", features(7, 2), 2), java.util.Arrays.copyOfRange(got, 40, 60), 1e-4f);
            assertEquals(1, batcher.passes());
        }
    }

    @Test
    void aFullQueueRefusesWith429AndAnExpiredRequestIsSkipped() throws Exception {
        Models models = models(false);
        Limits limits = new Limits(1 << 20, 16, 4, 16, 0, 16, Duration.ZERO, Duration.ofSeconds(5), 4, 1, 4, 64);
        try (Batcher batcher = new Batcher(models, limits, Batcher.Strategy.SHARED)) {
            ApiException tooBig = assertThrows(ApiException.class, () -> batcher.submit(
                    new Batcher.Job(features(1, 9), 9, List.of(Batcher.Selection.base(), Batcher.Selection.base()), System.nanoTime() + 1_000_000_000L)));
            assertEquals(413, tooBig.status());
            Batcher.Job expired = new Batcher.Job(features(1, 1), 1, List.of(Batcher.Selection.base()), System.nanoTime() - 1);
            batcher.submit(expired);
            ExecutionException e = assertThrows(ExecutionException.class, () -> expired.answer.get(10, TimeUnit.SECONDS));
            assertEquals(429, ((ApiException) e.getCause()).status());
            assertEquals(0, batcher.passes());
            // Rows beyond the queue's 16 are refused at once, never held.
            int refused = 0;
            for (int i = 0; i < 200; i++) {
                try {
                    batcher.submit(new Batcher.Job(features(i, 16), 16, List.of(Batcher.Selection.base()), System.nanoTime() + 5_000_000_000L));
                } catch (ApiException busy) {
                    assertEquals(429, busy.status());
                    refused++;
                }
            }
            assertTrue(refused > 0, "a 16-row queue took 200 requests of 16 rows");
            assertTrue(batcher.queuedRows() <= 16);
        }
    }
}
