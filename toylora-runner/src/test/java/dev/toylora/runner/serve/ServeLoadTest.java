package dev.toylora.runner.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toylora.runner.predict.DigitImage;
import dev.toylora.io.files.AtomicFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The bounded load test of {@code runner serve} on loopback (bench/serve-load.sh runs it): a server process with 4
 * adapters, concurrent clients asking for mixed adapters; requests/s, images/s, p50/p99 latency, errors and the
 * server's heap every second; then p50/p99 at half that load; then the same workload served batched across adapters,
 * each request alone, and by a merged model per adapter. Runs only with {@code -Dtoylora.serve.load=SECONDS} (30–60).
 */
@EnabledIfSystemProperty(named = "toylora.serve.load", matches = "\\d+")
class ServeLoadTest {
    static final int SECONDS = Math.max(10, Math.min(60, Integer.getInteger("toylora.serve.load", 30)));
    /** The engine; none named: the server picks the best available one, as {@code runner serve} does. */
    static final String BACKEND = System.getProperty("toylora.serve.load.backend", "");
    /** An engine jar beside the test's class path (engine-openblas.jar, say), for the server and the compute-only passes. */
    static final java.util.Optional<Path> ENGINE_JAR = java.util.Optional.ofNullable(System.getProperty("toylora.serve.load.engine-jar"))
            .filter(s -> !s.isBlank()).map(s -> Path.of(s).toAbsolutePath());
    /** More `runner serve` options for every server the test starts (space-separated), e.g. "--compute-threads 1". */
    static final List<String> SERVER_ARGS = Arrays.stream(System.getProperty("toylora.serve.load.server-args", "").trim().split("\\s+"))
            .filter(a -> !a.isEmpty()).toList();
    static final int CLIENTS = Integer.getInteger("toylora.serve.load.clients", 16);
    static final int IMAGES = Integer.getInteger("toylora.serve.load.images", 16);
    static final int COMPARE_IMAGES = Integer.getInteger("toylora.serve.load.compare-images", 4);
    static final int COMPARE_SECONDS = Integer.getInteger("toylora.serve.load.compare-seconds", 15);
    static final List<String> ADAPTERS = List.of("lora", "eight", "nine", "r8");
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * The test's class path with its jars copied aside once: the local Maven repository is shared with other builds,
     * which may replace a snapshot jar between two server starts.
     */
    static final String CLASS_PATH = privateClassPath() + ENGINE_JAR.map(jar -> java.io.File.pathSeparator + jar).orElse("");

    static String privateClassPath() {
        String path = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        try {
            Path dir = Files.createTempDirectory("toylora-serve-cp");
            List<String> entries = new ArrayList<>();
            int n = 0;
            for (String entry : path.split(java.io.File.pathSeparator)) {
                Path p = Path.of(entry);
                if (Files.isRegularFile(p) && entry.endsWith(".jar")) {
                    Path copy = dir.resolve((n++) + "-" + p.getFileName());
                    Files.copy(p, copy);
                    entries.add(copy.toString());
                } else {
                    entries.add(entry);
                }
            }
            return String.join(java.io.File.pathSeparator, entries);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A server in a process of its own (so its heap is its own), on the test's class path. */
    record ServerProcess(Process process, int port) implements AutoCloseable {
        static ServerProcess start(String strategy, String... extra) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g", "-Xms256m",
                    "-cp", CLASS_PATH, "dev.toylora.runner.cli.Main", "serve", "--base", Fixtures.base().toString(),
                    "--port", "0", "--strategy", strategy, "--threads", "64", "--results", Fixtures.repo().resolve("results").toString()));
            Map<String, Path> files = Map.of("lora", Fixtures.adapters().get("lora"), "eight", Fixtures.adapters().get("eight"),
                    "nine", Fixtures.adapters().get("nine"), "r8", Fixtures.file("results/rank-sweep/rank=8/checkpoints/adapter.safetensors"));
            for (String name : ADAPTERS) command.addAll(List.of("--adapter", name + "=" + files.get(name)));
            if (!BACKEND.isEmpty()) command.addAll(List.of("--backend", BACKEND));
            command.addAll(SERVER_ARGS);
            command.addAll(List.of(extra));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            Matcher port = Pattern.compile("\\(port (\\d+);").matcher("");
            StringBuilder seen = new StringBuilder();
            for (String line; (line = out.readLine()) != null; ) {
                seen.append(line).append('\n');
                if (port.reset(line).find()) {
                    Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "server-output");
                    drain.setDaemon(true);
                    drain.start();
                    return new ServerProcess(process, Integer.parseInt(port.group(1)));
                }
            }
            throw new IllegalStateException("the server did not start:\n" + seen);
        }

        JsonNode health() throws IOException, InterruptedException {
            return Fixtures.JSON.readTree(CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        }
    }

    /** Prebuilt request bodies, one per (model, image set), so the clients spend nothing on JSON. */
    static List<byte[]> bodies(int images, List<String> models) throws IOException {
        List<byte[]> pixels = new ArrayList<>();
        try (Stream<Path> files = Files.list(Fixtures.repo().resolve("samples"))) {
            for (Path f : files.filter(f -> f.toString().matches(".*\\.(png|jpg)$")).sorted().toList()) pixels.add(DigitImage.read(f).pixels());
        }
        List<byte[]> bodies = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(17);
        for (String model : models) {
            for (int set = 0; set < 8; set++) {
                StringBuilder s = new StringBuilder("{\"models\":[\"").append(model).append("\"],\"images\":[");
                for (int i = 0; i < images; i++) {
                    s.append(i == 0 ? "" : ",").append("{\"pixels\":\"").append(Base64.getEncoder().encodeToString(pixels.get(random.nextInt(pixels.size())))).append("\"}");
                }
                bodies.add(s.append("]}").toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        return bodies;
    }

    /** What one run measured, and its timeline (one row per second). */
    record Run(String name, double seconds, long requests, long images, long errors, double p50, double p99, double p999, List<String> timeline) {
        double requestsPerSecond() {
            return requests / seconds;
        }

        double imagesPerSecond() {
            return images / seconds;
        }
    }

    /** Counts and latencies, per second of a run. */
    static final class Recorder {
        final long start = System.nanoTime();
        final int seconds;
        final AtomicLong[] requests, images, errors;
        final List<List<Long>> latencies = new ArrayList<>();

        Recorder(int seconds) {
            this.seconds = seconds;
            requests = counters(seconds);
            images = counters(seconds);
            errors = counters(seconds);
            for (int i = 0; i < seconds; i++) latencies.add(new ArrayList<>());
        }

        static AtomicLong[] counters(int n) {
            AtomicLong[] a = new AtomicLong[n];
            for (int i = 0; i < n; i++) a[i] = new AtomicLong();
            return a;
        }

        boolean running() {
            return System.nanoTime() - start < seconds * 1_000_000_000L;
        }

        void record(long sentNanos, int imageCount, boolean ok) {
            long now = System.nanoTime();
            int second = (int) ((now - start) / 1_000_000_000L);
            if (second >= seconds || sentNanos < start) return;
            if (ok) {
                requests[second].incrementAndGet();
                images[second].addAndGet(imageCount);
            } else {
                errors[second].incrementAndGet();
            }
            List<Long> bucket = latencies.get(second);
            synchronized (bucket) {
                bucket.add(now - sentNanos);
            }
        }

        Run result(String name, List<String> memory) {
            long r = 0, i = 0, e = 0;
            List<Long> all = new ArrayList<>();
            List<String> timeline = new ArrayList<>();
            for (int s = 0; s < seconds; s++) {
                r += requests[s].get();
                i += images[s].get();
                e += errors[s].get();
                List<Long> bucket = latencies.get(s);
                synchronized (bucket) {
                    all.addAll(bucket);
                    long[] sorted = bucket.stream().mapToLong(Long::longValue).sorted().toArray();
                    timeline.add(String.format(Locale.ROOT, "%s,%d,%d,%d,%d,%.2f,%.2f,%s", name, s + 1, requests[s].get(), images[s].get(), errors[s].get(),
                            quantile(sorted, 0.5), quantile(sorted, 0.99), s < memory.size() ? memory.get(s) : ","));
                }
            }
            long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
            return new Run(name, seconds, r, i, e, quantile(sorted, 0.5), quantile(sorted, 0.99), quantile(sorted, 0.999), timeline);
        }
    }

    static double quantile(long[] sorted, double q) {
        if (sorted.length == 0) return Double.NaN;
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    static boolean send(int port, byte[] body) {
        try {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/predict"))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code clients} threads, each sending its next request when the last is answered. */
    static Run closedLoop(String name, ServerProcess server, int clients, int images, List<byte[]> bodies, int seconds) throws Exception {
        Recorder recorder = new Recorder(seconds);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        for (int c = 0; c < clients; c++) {
            int seed = c;
            pool.submit(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                while (recorder.running()) {
                    long sent = System.nanoTime();
                    boolean ok = send(server.port(), bodies.get(random.nextInt(bodies.size())));
                    recorder.record(sent, images, ok);
                }
            });
        }
        List<String> memory = sampleMemory(server, recorder);
        pool.shutdown();
        pool.awaitTermination(60, TimeUnit.SECONDS);
        return recorder.result(name, memory);
    }

    /** Requests sent at a fixed rate whatever the answers do; latency counts from when each was due (no coordinated omission). */
    static Run openLoop(String name, ServerProcess server, double requestsPerSecond, int images, List<byte[]> bodies, int seconds) throws Exception {
        Recorder recorder = new Recorder(seconds);
        ExecutorService pool = Executors.newFixedThreadPool(128);
        Thread dispatcher = new Thread(() -> {
            SplittableRandom random = new SplittableRandom(5);
            long period = (long) (1e9 / requestsPerSecond);
            for (long i = 0; recorder.running(); i++) {
                long due = recorder.start + i * period;
                long wait = due - System.nanoTime();
                if (wait > 0) java.util.concurrent.locks.LockSupport.parkNanos(wait);
                byte[] body = bodies.get(random.nextInt(bodies.size()));
                pool.submit(() -> recorder.record(due, images, send(server.port(), body)));
            }
        }, "dispatcher");
        dispatcher.start();
        List<String> memory = sampleMemory(server, recorder);
        dispatcher.join();
        pool.shutdown();
        pool.awaitTermination(60, TimeUnit.SECONDS);
        return recorder.result(name, memory);
    }

    /** The server's heap (used, and left after its last collection), once a second while the run lasts. */
    static List<String> sampleMemory(ServerProcess server, Recorder recorder) throws Exception {
        List<String> memory = new ArrayList<>();
        for (int s = 0; s < recorder.seconds; s++) {
            long next = recorder.start + (s + 1) * 1_000_000_000L - System.nanoTime();
            if (next > 0) TimeUnit.NANOSECONDS.sleep(next);
            JsonNode m = server.health().path("memory");
            memory.add(String.format(Locale.ROOT, "%.1f,%.1f", m.path("heapUsed").asLong() / 1048576.0, m.path("heapAfterLastGc").asLong() / 1048576.0));
        }
        return memory;
    }

    static String loadAverage() {
        try {
            return String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+"), 3));
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String cpu() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("unknown")
                    + ", " + Runtime.getRuntime().availableProcessors() + " cores";
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Test
    void load() throws Exception {
        String loadBefore = loadAverage();
        List<String> models = new ArrayList<>(ADAPTERS);
        models.add("base");
        List<byte[]> bodies = bodies(IMAGES, models);
        List<String> timeline = new ArrayList<>();
        Run full, half;
        String engine;
        JsonNode afterRun;
        String inside;
        try (ServerProcess server = ServerProcess.start("shared")) {
            engine = server.health().path("backend").asText() + " (" + server.health().path("backendVersion").asText() + ")";
            closedLoop("warm-up", server, CLIENTS, IMAGES, bodies, 5);
            long[] beforeFull = latencyCounts(server.health());
            full = closedLoop("saturation", server, CLIENTS, IMAGES, bodies, SECONDS);
            long[] beforeHalf = latencyCounts(server.health());
            half = openLoop("half-load", server, full.requestsPerSecond() / 2, IMAGES, bodies, Math.min(SECONDS, 30));
            afterRun = server.health();
            long[] afterHalf = latencyCounts(afterRun);
            inside = String.format(Locale.ROOT, "%nInside the server (each prediction from its handler's first line to its answer sent, /api/health's `latency`; "
                    + "bucket bounds, at most 10%% above the true value): saturation p50 %.1f ms, p99 %.1f ms; half load p50 %.1f ms, p99 %.1f ms. "
                    + "The rest of what the clients measure is the way there and back: the HTTP server's accept and dispatch, loopback, and the client JVM, "
                    + "which shares the server's cores.%n",
                    Latencies.quantileMs(beforeFull, beforeHalf, 0.5), Latencies.quantileMs(beforeFull, beforeHalf, 0.99),
                    Latencies.quantileMs(beforeHalf, afterHalf, 0.5), Latencies.quantileMs(beforeHalf, afterHalf, 0.99));
        }
        timeline.addAll(full.timeline());
        timeline.addAll(half.timeline());

        List<byte[]> small = bodies(COMPARE_IMAGES, models);
        List<Run> compared = new ArrayList<>();
        for (String strategy : List.of("shared", "alone", "merged")) {
            try (ServerProcess server = ServerProcess.start(strategy)) {
                closedLoop("warm-up", server, CLIENTS, COMPARE_IMAGES, small, 3);
                compared.add(closedLoop(strategy, server, CLIENTS, COMPARE_IMAGES, small, COMPARE_SECONDS));
            }
        }
        String passes = passes();
        String loadAfter = loadAverage();
        String report = report(engine, loadBefore, loadAfter, full, half, compared, afterRun, inside) + passes;
        System.out.println(report);
        Path out = Path.of(System.getProperty("toylora.serve.load.out", Path.of(System.getProperty("java.io.tmpdir"), "toylora-serve-load").toString()));
        AtomicFiles.write(out.resolve("load.md"), report);
        AtomicFiles.write(out.resolve("timeline.csv"), "run,second,requests,images,errors,p50_ms,p99_ms,heap_used_mb,heap_after_gc_mb\n" + String.join("\n", timeline) + "\n");
        StringBuilder csv = new StringBuilder("strategy,clients,images_per_request,seconds,requests,images,errors,requests_per_s,images_per_s,p50_ms,p99_ms\n");
        for (Run r : compared) {
            csv.append(String.format(Locale.ROOT, "%s,%d,%d,%.0f,%d,%d,%d,%.1f,%.1f,%.2f,%.2f%n", r.name(), CLIENTS, COMPARE_IMAGES, r.seconds(), r.requests(), r.images(),
                    r.errors(), r.requestsPerSecond(), r.imagesPerSecond(), r.p50(), r.p99()));
        }
        AtomicFiles.write(out.resolve("batching.csv"), csv.toString());
        assertEquals(0, full.errors() + half.errors() + compared.stream().mapToLong(Run::errors).sum(), "errors under load:\n" + report);
        assertTrue(full.requests() > 0);
    }

    /**
     * The compute alone, in this JVM, no HTTP: one pass over {@code rows} rows split evenly between the 4 adapters, as
     * the shared strategy runs it (the base once, 4 row groups), against a merged copy of the base per adapter (4 passes
     * of rows/4), and the base alone on all rows (the floor).
     */
    static String passes() throws IOException {
        ClassLoader test = Thread.currentThread().getContextClassLoader();
        dev.toylora.api.Backend backend;
        try {
            if (ENGINE_JAR.isPresent()) {
                Thread.currentThread().setContextClassLoader(new java.net.URLClassLoader(new java.net.URL[] {ENGINE_JAR.get().toUri().toURL()}, test));
            }
            backend = dev.toylora.runner.experiment.Engines.named(BACKEND.isEmpty() ? null : BACKEND, "no backend named");
        } finally {
            Thread.currentThread().setContextClassLoader(test);
        }
        Models models = new Models(backend, Fixtures.base(), 1, true, 8);
        Map<String, Path> files = Map.of("lora", Fixtures.adapters().get("lora"), "eight", Fixtures.adapters().get("eight"),
                "nine", Fixtures.adapters().get("nine"), "r8", Fixtures.file("results/rank-sweep/rank=8/checkpoints/adapter.safetensors"));
        for (String name : ADAPTERS) models.load(name, Files.readAllBytes(files.get(name)), name);
        StringBuilder s = new StringBuilder("\nOne pass, compute only (" + backend.name() + ", in the test's JVM, no HTTP): rows split evenly between the 4 adapters; "
                + "ms per pass (median of repeated passes) and images/s:\n\n"
                + "| rows | base alone (floor) | shared: base once + the 4 adapters stacked | merged: 4 merged copies, rows/4 each | shared ÷ merged |\n|---:|---:|---:|---:|---:|\n");
        for (int rows : new int[] {8, 16, 64, 256}) {
            float[] features = new float[rows * 784];
            SplittableRandom random = new SplittableRandom(rows);
            for (int i = 0; i < features.length; i++) features[i] = (float) random.nextDouble(-0.4, 2.8);
            float[] out = new float[rows * 10];
            dev.toylora.api.Batch batch = dev.toylora.api.Batch.unlabelled(features, rows, 784);
            List<dev.toylora.api.RowGroup> groups = new ArrayList<>();
            int per = rows / 4;
            for (int a = 0; a < 4; a++) {
                groups.add(new dev.toylora.api.RowGroup(a * per, per, List.of(new dev.toylora.api.RowGroup.Weighted(models.get(ADAPTERS.get(a)).orElseThrow().entry(), 1.0))));
            }
            float[] quarter = Arrays.copyOf(features, per * 784);
            dev.toylora.api.Batch part = dev.toylora.api.Batch.unlabelled(quarter, per, 784);
            float[] partOut = new float[per * 10];
            double base = medianMs(() -> models.network(0).logits(batch, out));
            double shared = medianMs(() -> models.network(0).logits(batch, groups, out));
            double merged = medianMs(() -> {
                for (String name : ADAPTERS) models.get(name).orElseThrow().merged().get(0).logits(part, partOut);
            });
            s.append(String.format(Locale.ROOT, "| %d | %.2f (%.0f/s) | %.2f (%.0f/s) | %.2f (%.0f/s) | %.2f |%n", rows, base, rows / base * 1000,
                    shared, rows / shared * 1000, merged, rows / merged * 1000, shared / merged));
        }
        return s.toString();
    }

    /** Median milliseconds of one call, over as many calls as fit in 2 s after 1 s of warming up. */
    static double medianMs(Runnable pass) {
        for (long end = System.nanoTime() + 1_000_000_000L; System.nanoTime() < end; ) pass.run();
        List<Long> times = new ArrayList<>();
        for (long end = System.nanoTime() + 2_000_000_000L; System.nanoTime() < end || times.size() < 5; ) {
            long t = System.nanoTime();
            pass.run();
            times.add(System.nanoTime() - t);
        }
        long[] sorted = times.stream().mapToLong(Long::longValue).sorted().toArray();
        return sorted[sorted.length / 2] / 1e6;
    }

    /** The server's cumulative latency histogram, from its health. */
    static long[] latencyCounts(JsonNode health) {
        JsonNode counts = health.path("latency").path("counts");
        long[] out = new long[Latencies.BUCKETS];
        for (int i = 0; i < out.length; i++) out[i] = counts.path(i).asLong();
        return out;
    }

    static String report(String engine, String loadBefore, String loadAfter, Run full, Run half, List<Run> compared, JsonNode after, String inside) {
        StringBuilder s = new StringBuilder();
        s.append("# runner serve under load\n\n");
        s.append(String.format(Locale.ROOT, "CPU: %s; engine: %s; load average (1, 5, 15 min) before: %s, after: %s — other work on the machine shares these cores.%n%n",
                cpu(), engine, loadBefore, loadAfter));
        s.append(String.format(Locale.ROOT, "Server: its own JVM (-Xmx1g), 4 adapters loaded (%s), loopback; clients in another JVM on the same cores; "
                + "requests carry 784 grey bytes per image (base64 in JSON), each for one model chosen at random among the 4 adapters and the base.%n%n",
                String.join(", ", ADAPTERS)));
        s.append("| run | clients | images/request | seconds | requests/s | images/s | p50 ms | p99 ms | p99.9 ms | errors |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        s.append(row(full, CLIENTS + " (closed loop)", IMAGES));
        s.append(row(half, "open loop at half the requests/s", IMAGES));
        s.append(inside);
        s.append("\nBatching across adapters, against each request alone and a merged model per adapter (same workload, " + COMPARE_IMAGES + " images a request):\n\n");
        s.append("| strategy | clients | images/request | seconds | requests/s | images/s | p50 ms | p99 ms | p99.9 ms | errors |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Run r : compared) s.append(row(r, String.valueOf(CLIENTS), COMPARE_IMAGES));
        JsonNode served = after.path("served");
        s.append(String.format(Locale.ROOT, "%nThe shared server over its life (warm-up, saturation, half load): %d requests in %d passes (%.1f rows a pass).%n", served.path("requests").asLong(),
                served.path("passes").asLong(), served.path("rows").asDouble() / Math.max(1, served.path("passes").asLong())));
        return s.toString();
    }

    static String row(Run r, String clients, int images) {
        return String.format(Locale.ROOT, "| %s | %s | %d | %.0f | %.0f | %.0f | %.1f | %.1f | %.1f | %d |%n", r.name(), clients, images, r.seconds(),
                r.requestsPerSecond(), r.imagesPerSecond(), r.p50(), r.p99(), r.p999(), r.errors());
    }
}
