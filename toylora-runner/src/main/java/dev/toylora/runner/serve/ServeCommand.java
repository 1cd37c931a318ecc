package dev.toylora.runner.serve;

import dev.toylora.api.Backend;
import dev.toylora.runner.experiment.Engines;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code runner serve}: a base and its adapters behind a JSON API and a page, until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = {"Serves a base model and its LoRA adapters: a JSON API and a page to draw digits on.",
        "Predicts with an adapter, a weighted mix, or the base; lists, loads and unloads adapters at run time. Requests for",
        "different adapters share one pass of the base. Listens on loopback unless --host says otherwise; adapters loaded at",
        "run time come as uploads or from --adapters-dir only.",
        "Example: serve --base results/lora-r16/checkpoints/base.safetensors --adapter lora=results/lora-r16/checkpoints/adapter.safetensors",
        "         --adapters-dir results --results results --port 8017"})
public final class ServeCommand implements Callable<Integer> {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    @Option(names = "--base", required = true, paramLabel = "FILE", description = "the base model (.safetensors)")
    Path base = Path.of("");

    @Option(names = "--adapter", paramLabel = "NAME=FILE", description = "a LoRA adapter of that base to load at start; repeat for each")
    List<String> adapters = new ArrayList<>();

    @Option(names = "--adapters-dir", paramLabel = "DIR", description = "the one folder run-time loads may name files in (default: none, uploads only)")
    @Nullable Path adaptersDir;

    @Option(names = "--results", paramLabel = "DIR", description = "results folder whose tables and sweep charts the page shows (default: results, if it exists)")
    @Nullable Path results;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "address to listen on (default: ${DEFAULT-VALUE}, loopback only)")
    String host = "127.0.0.1";

    @Option(names = "--port", paramLabel = "N", description = "port (default: ${DEFAULT-VALUE}; 0 picks a free one)")
    int port = 8017;

    @Option(names = "--backend", paramLabel = "NAME", description = "engine to run the models with (default: the available engine of the highest rank)")
    @Nullable String backendName;

    @Option(names = "--strategy", paramLabel = "shared|alone|merged",
            description = "shared: one pass of the base for all queued requests, each adapter on its rows (default); alone: one request per pass; "
                    + "merged: a merged copy of the base per adapter (no mixes) — the last two are what shared is measured against")
    String strategy = "shared";

    @Option(names = "--admin-token", paramLabel = "TOKEN", description = "loading and unloading need 'Authorization: Bearer TOKEN'")
    @Nullable String adminToken;

    @Option(names = "--admin-token-file", paramLabel = "FILE", description = "as --admin-token, read from a file (kept out of the process list)")
    @Nullable Path adminTokenFile;

    @Option(names = "--no-admin", description = "switch loading and unloading off: the adapters given at start are all there is")
    boolean noAdmin;

    @Option(names = "--max-body", paramLabel = "BYTES", description = "largest request body or uploaded adapter (default: ${DEFAULT-VALUE})")
    int maxBody = Limits.defaults().maxBodyBytes();

    @Option(names = "--max-images", paramLabel = "N", description = "images per predict request (default: ${DEFAULT-VALUE})")
    int maxImages = Limits.defaults().maxImages();

    @Option(names = "--max-models", paramLabel = "N", description = "models per predict request (default: ${DEFAULT-VALUE})")
    int maxModels = Limits.defaults().maxModels();

    @Option(names = "--max-batch", paramLabel = "ROWS", description = "rows (image × model) in one pass of the base (default: ${DEFAULT-VALUE})")
    int maxBatch = Limits.defaults().maxBatchRows();

    @Option(names = "--max-queue", paramLabel = "ROWS", description = "rows waiting for a pass before requests get 429 (default: ${DEFAULT-VALUE})")
    int maxQueue = Limits.defaults().maxQueueRows();

    @Option(names = "--batch-wait", paramLabel = "MS", description = "how long a pass waits for more rows, in ms (default: ${DEFAULT-VALUE})")
    double batchWaitMs = Limits.defaults().batchWait().toNanos() / 1e6;

    @Option(names = "--timeout", paramLabel = "MS", description = "how long a request may wait for its answer, in ms (default: ${DEFAULT-VALUE})")
    long timeoutMs = Limits.defaults().timeout().toMillis();

    @Option(names = "--threads", paramLabel = "N", description = "HTTP handler threads, i.e. requests in flight (default: ${DEFAULT-VALUE})")
    int threads = Limits.defaults().threads();

    @Option(names = "--compute-threads", paramLabel = "N", description = "threads computing passes, each with its own copy of the base (default: ${DEFAULT-VALUE}, the cores up to 4)")
    int computeThreads = Limits.defaults().computeThreads();

    @Option(names = "--max-adapters", paramLabel = "N", description = "adapters loaded at once (default: ${DEFAULT-VALUE})")
    int maxAdapters = Limits.defaults().maxAdapters();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Server.Config config = config();
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch stopped = new CountDownLatch(1);
        try (Server server = Server.start(config)) {
            Thread hook = new Thread(() -> {
                server.close();
                stopped.countDown();
            }, "toylora-serve-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            out.println("serving " + config.base() + " with " + server.models().list().size() + " adapter(s) "
                    + server.models().list().stream().map(Models.Loaded::name).toList() + " on engine " + config.backend().name()
                    + " (" + config.strategy().name().toLowerCase(Locale.ROOT) + ")");
            out.println("page and API on " + server.uri() + "  (port " + server.port() + "; Ctrl-C stops)");
            out.flush();
            try {
                stopped.await();
            } catch (InterruptedException e) {
                // Stopped from inside the process (a test, an embedding program): close and return normally.
                Thread.currentThread().interrupt();
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running or has run
                }
            }
        }
        return 0;
    }

    Server.Config config() throws IOException {
        Map<String, Path> startAdapters = new LinkedHashMap<>();
        for (String arg : adapters) {
            int eq = arg.indexOf('=');
            String name = eq < 0 ? "" : arg.substring(0, eq);
            if (eq < 0 || !NAME.matcher(name).matches() || name.equals(Models.BASE)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--adapter " + arg + ": expected NAME=FILE, NAME of letters, digits, . _ - and not 'base'");
            }
            if (startAdapters.put(name, Path.of(arg.substring(eq + 1))) != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--adapter: the name '" + name + "' is given twice");
            }
        }
        for (Path dir : new Path[] {adaptersDir, results}) {
            if (dir != null && !Files.isDirectory(dir)) throw new CommandLine.ParameterException(spec.commandLine(), dir + " is not a folder");
        }
        Path shown = results != null ? results : Files.isDirectory(Path.of("results")) ? Path.of("results") : null;
        String token = adminToken;
        if (adminTokenFile != null) token = Files.readString(adminTokenFile, StandardCharsets.UTF_8).strip();
        if (token != null && token.length() < 16) throw new CommandLine.ParameterException(spec.commandLine(), "the admin token must be at least 16 characters");
        if (noAdmin && token != null) throw new CommandLine.ParameterException(spec.commandLine(), "--no-admin and an admin token contradict each other");
        Server.Admin admin = new Server.Admin(!noAdmin, token);
        Batcher.Strategy chosen = switch (strategy.strip().toLowerCase(Locale.ROOT)) {
            case "shared" -> Batcher.Strategy.SHARED;
            case "alone" -> Batcher.Strategy.ALONE;
            case "merged" -> Batcher.Strategy.MERGED;
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "--strategy '" + strategy + "': expected shared, alone or merged");
        };
        Limits limits;
        try {
            limits = new Limits(maxBody, maxImages, maxModels, maxBatch, 0, maxQueue, Duration.ofNanos(Math.round(batchWaitMs * 1e6)),
                    Duration.ofMillis(timeoutMs), threads, computeThreads, maxAdapters, Limits.defaults().maxImageSide());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Backend backend = Engines.named(backendName, "no --backend given");
        return new Server.Config(base, startAdapters, adaptersDir, shown, host, port, backend, limits, chosen, admin);
    }
}
