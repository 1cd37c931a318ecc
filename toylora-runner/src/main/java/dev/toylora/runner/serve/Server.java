package dev.toylora.runner.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.toylora.api.Backend;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of {@code runner serve}: the JSON API, the page, and the results folder, read-only. Every answer to a
 * request it cannot serve is a 4xx with {@code {"error": "one line"}}; nothing a request sends changes the base.
 */
final class Server implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Server.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PAGE = "/dev/toylora/runner/serve/page/";
    private static final Map<String, String> PAGE_FILES = Map.of(
            "/", "index.html", "/index.html", "index.html", "/page/app.js", "app.js", "/page/style.css", "style.css");
    private static final Map<String, String> RESULT_TYPES = Map.of(
            "csv", "text/csv; charset=utf-8", "md", "text/markdown; charset=utf-8", "json", "application/json",
            "png", "image/png", "svg", "image/svg+xml");
    private static final long MAX_RESULT_FILE = 16 << 20;
    /** Set while the handler pool is full and the connection's own thread runs the exchange: it only says 429. */
    private static final ThreadLocal<Boolean> OVERFLOW = ThreadLocal.withInitial(() -> false);

    /** Who may load and unload adapters at run time. */
    record Admin(boolean enabled, @Nullable String token) {
        static Admin open() {
            return new Admin(true, null);
        }
    }

    /**
     * What the server serves and how.
     *
     * @param adaptersDir the only folder run-time loads may name files in (null: uploads only)
     * @param results     the results folder the page shows (null: none)
     */
    record Config(Path base, Map<String, Path> adapters, @Nullable Path adaptersDir, @Nullable Path results, String host, int port,
                  Backend backend, Limits limits, Batcher.Strategy strategy, Admin admin) {
        Config {
            adapters = new LinkedHashMap<>(adapters);
        }
    }

    private final Config config;
    private final Models models;
    private final Batcher batcher;
    private final HttpServer http;
    private final ThreadPoolExecutor pool;
    /** Every prediction's time inside the server, for /api/health. */
    private final Latencies latencies = new Latencies();
    private final boolean loopback;
    private final java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean(true);

    private Server(Config config, Models models, Batcher batcher, HttpServer http, ThreadPoolExecutor pool, boolean loopback) {
        this.config = config;
        this.models = models;
        this.batcher = batcher;
        this.http = http;
        this.pool = pool;
        this.loopback = loopback;
    }

    /** Loads the base and the adapters named at start, checks the engine can batch adapters, and starts listening. */
    static Server start(Config config) throws IOException {
        Models models = new Models(config.backend(), config.base(), config.limits().computeThreads(), config.strategy() == Batcher.Strategy.MERGED,
                config.limits().maxAdapters());
        for (Map.Entry<String, Path> e : config.adapters().entrySet()) {
            try {
                models.load(e.getKey(), Files.readAllBytes(e.getValue()), e.getValue().toString());
            } catch (ApiException | IOException refused) {
                String why = refused instanceof java.nio.file.NoSuchFileException ? "no such file" : refused.getMessage();
                throw new IllegalArgumentException("--adapter " + e.getKey() + "=" + e.getValue() + ": " + why, refused);
            }
        }
        if (config.strategy() != Batcher.Strategy.MERGED) EngineProbe.requireBatchedLogits(models);
        InetAddress address = InetAddress.getByName(config.host());
        boolean loopback = address.isLoopbackAddress();
        if (!loopback && config.admin().enabled() && config.admin().token() == null) {
            throw new IllegalArgumentException("serving on " + config.host() + " (not loopback) with loading and unloading open to anyone; "
                    + "give --admin-token TOKEN or --no-admin");
        }
        httpServerDefaults(config.limits());
        Batcher batcher = new Batcher(models, config.limits(), config.strategy());
        int threads = config.limits().threads();
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(4 * threads), r -> {
            Thread t = new Thread(r, "toylora-http-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(address, config.port()), 256);
        } catch (IOException e) {
            batcher.close();
            pool.shutdownNow();
            throw new IllegalArgumentException("cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        Server server = new Server(config, models, batcher, http, pool, loopback);
        http.createContext("/", server::handle);
        http.setExecutor(overflowing(pool));
        http.start();
        return server;
    }

    /**
     * Runs exchanges on the pool; when it and its queue are full, runs them on the connection's own thread marked
     * {@link #OVERFLOW}, where they answer 429 at once. The JDK's server must never see the executor refuse.
     */
    private static Executor overflowing(ThreadPoolExecutor pool) {
        return task -> {
            try {
                pool.execute(task);
            } catch (RejectedExecutionException e) {
                OVERFLOW.set(true);
                try {
                    task.run();
                } finally {
                    OVERFLOW.set(false);
                }
            }
        };
    }

    /** The JDK server's own bounds (read once per process, so only where not set already): request time, no Nagle delay. */
    private static void httpServerDefaults(Limits limits) {
        long seconds = Math.max(10, limits.timeout().toSeconds() * 4);
        System.getProperties().putIfAbsent("sun.net.httpserver.maxReqTime", String.valueOf(seconds));
        System.getProperties().putIfAbsent("sun.net.httpserver.maxRspTime", String.valueOf(seconds));
        System.getProperties().putIfAbsent("sun.net.httpserver.nodelay", "true");
        System.getProperties().putIfAbsent("jdk.httpserver.maxConnections", "1024");
    }

    int port() {
        return http.getAddress().getPort();
    }

    URI uri() {
        String host = http.getAddress().getAddress().getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        return URI.create("http://" + host + ":" + port() + "/");
    }

    Models models() {
        return models;
    }

    Batcher batcher() {
        return batcher;
    }

    @Override
    public void close() {
        if (!open.compareAndSet(true, false)) return;
        http.stop(0);
        batcher.close();
        pool.shutdownNow();
    }

    /** An answer: status, content type, body, and extra headers. */
    private record Response(int status, String type, byte[] body, Map<String, String> headers) {
        static Response json(int status, JsonNode body) {
            try {
                return new Response(status, "application/json", JSON.writeValueAsBytes(body), Map.of());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private void handle(HttpExchange exchange) {
        long started = System.nanoTime();
        Response response;
        try {
            if (OVERFLOW.get()) throw ApiException.busy("all " + config.limits().threads() + " handler threads are busy and their queue is full; try again shortly");
            checkHost(exchange);
            response = route(exchange);
        } catch (ApiException e) {
            response = error(e.status(), e.getMessage());
        } catch (JsonProcessingException e) {
            response = error(400, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            response = error(400, "could not read the request: " + e.getMessage());
        } catch (RuntimeException | StackOverflowError e) {
            // Never a 500: what was not foreseen is still an answer naming the problem, and the server carries on.
            LOG.warn("request {} {} failed: {}", exchange.getRequestMethod(), SafePaths.printable(exchange.getRequestURI().getRawPath()), e.toString());
            response = error(400, "could not handle the request: " + e);
        }
        // On the connection's own thread (overflow) nothing is waited for: the connection closes after the answer.
        if (!OVERFLOW.get()) drain(exchange, config.limits().maxBodyBytes());
        send(exchange, response);
        if ("/api/predict".equals(exchange.getRequestURI().getPath())) latencies.record(System.nanoTime() - started);
    }

    /**
     * Reads what is left of a refused request's body (up to the limit), so that the client, still sending, reads the
     * answer rather than a reset connection. A body announced beyond the limit is not read: the connection closes.
     */
    private static void drain(HttpExchange exchange, int limit) {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        try {
            if (length != null && Long.parseLong(length.strip()) > limit) return;
        } catch (NumberFormatException e) {
            return;
        }
        try {
            InputStream in = exchange.getRequestBody();
            byte[] sink = new byte[8192];
            for (long total = 0; total <= limit; ) {
                int n = in.read(sink);
                if (n < 0) break;
                total += n;
            }
        } catch (IOException e) {
            LOG.debug("could not read the rest of a request: {}", e.toString());
        }
    }

    private static void send(HttpExchange exchange, Response response) {
        try (exchange) {
            var headers = exchange.getResponseHeaders();
            headers.set("Content-Type", response.type());
            headers.set("X-Content-Type-Options", "nosniff");
            headers.set("Cache-Control", "no-store");
            response.headers().forEach(headers::set);
            exchange.sendResponseHeaders(response.status(), response.body().length == 0 ? -1 : response.body().length);
            if (response.body().length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(response.body());
                }
            }
        } catch (IOException e) {
            LOG.debug("could not answer: {}", e.toString()); // the client went away
        }
    }

    static Response error(int status, String message) {
        String line = message.replaceAll("[\\r\\n\\t]+", " ");
        if (line.length() > 600) line = line.substring(0, 600) + "…";
        ObjectNode body = JSON.createObjectNode().put("error", line);
        Response r = Response.json(status, body);
        return status == 429 ? new Response(r.status(), r.type(), r.body(), Map.of("Retry-After", "1")) : r;
    }

    /** On loopback, a Host header naming another host is a page elsewhere reaching in through DNS rebinding. */
    private void checkHost(HttpExchange exchange) {
        if (!loopback) return;
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (host == null) return;
        String name = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1) : host.replaceFirst(":\\d*$", "");
        String lower = name.toLowerCase(Locale.ROOT);
        if (!(lower.equals("localhost") || lower.equals("127.0.0.1") || lower.equals("[::1]") || lower.startsWith("127."))) {
            throw new ApiException(403, "Host '" + SafePaths.printable(host) + "' is not this loopback server");
        }
    }

    private Response route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        if (path == null) path = "/";
        String page = PAGE_FILES.get(path);
        if (page != null) return only(method, "GET") ? page(page) : notAllowed("GET");
        if (path.equals("/api/health")) return only(method, "GET") ? Response.json(200, health()) : notAllowed("GET");
        if (path.equals("/api/predict")) return only(method, "POST") ? Response.json(200, predict(exchange)) : notAllowed("POST");
        if (path.equals("/api/adapters")) {
            if (method.equals("GET")) return Response.json(200, adapters());
            if (method.equals("POST")) return Response.json(201, loadFromFolder(exchange));
            return notAllowed("GET, POST");
        }
        if (path.startsWith("/api/adapters/")) {
            String name = path.substring("/api/adapters/".length());
            return switch (method) {
                case "GET" -> Response.json(200, describe(models.get(name).orElseThrow(() -> unknownAdapter(name))));
                case "PUT" -> Response.json(201, upload(exchange, name));
                case "DELETE" -> Response.json(200, unload(exchange, name));
                default -> notAllowed("GET, PUT, DELETE");
            };
        }
        if (path.equals("/api/adapter-files")) return only(method, "GET") ? Response.json(200, adapterFiles(exchange)) : notAllowed("GET");
        if (path.equals("/api/results")) return only(method, "GET") ? Response.json(200, ResultsFolder.list(config.results())) : notAllowed("GET");
        if (path.startsWith("/results/")) return only(method, "GET") ? resultFile(path.substring("/results/".length())) : notAllowed("GET");
        throw ApiException.notFound("no such endpoint: " + method + " " + SafePaths.printable(path) + " (see GET /api/health, POST /api/predict, GET /api/adapters)");
    }

    private static boolean only(String method, String allowed) {
        return method.equals(allowed);
    }

    private static Response notAllowed(String allowed) {
        Response r = error(405, "method not allowed here; use " + allowed);
        return new Response(r.status(), r.type(), r.body(), Map.of("Allow", allowed));
    }

    private static Response page(String name) throws IOException {
        try (InputStream in = Server.class.getResourceAsStream(PAGE + name)) {
            if (in == null) throw ApiException.notFound("the page's " + name + " is missing from this build");
            String type = name.endsWith(".html") ? "text/html; charset=utf-8" : name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
            return new Response(200, type, in.readAllBytes(), Map.of(
                    "Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
                    "Referrer-Policy", "no-referrer"));
        }
    }

    private Response resultFile(String relative) throws IOException {
        Path root = config.results();
        if (root == null) throw ApiException.notFound("this server shows no results folder (start it with --results DIR)");
        Path file = SafePaths.resolve(root, relative, "results file");
        String name = file.getFileName().toString();
        String type = RESULT_TYPES.get(name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT));
        if (type == null) throw new ApiException(403, "results file '" + SafePaths.printable(relative) + "': only " + RESULT_TYPES.keySet() + " files are served");
        if (Files.size(file) > MAX_RESULT_FILE) throw ApiException.tooLarge("results file '" + relative + "' is larger than " + (MAX_RESULT_FILE >> 20) + " MiB");
        // An SVG opened on its own must not run scripts with this origin's rights.
        Map<String, String> headers = type.startsWith("image/svg") ? Map.of("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox") : Map.of();
        return new Response(200, type, Files.readAllBytes(file), headers);
    }

    // ---- the JSON API

    private ObjectNode health() {
        ObjectNode o = JSON.createObjectNode();
        o.put("status", "ok");
        Backend backend = models.backend();
        o.put("backend", backend.name()).put("backendVersion", backend.version()).put("strategy", batcher.strategy().name().toLowerCase(Locale.ROOT));
        ObjectNode base = o.putObject("base");
        base.put("file", String.valueOf(models.baseFile().getFileName())).put("sha256", models.baseSha256()).put("dataset", models.dataset().id());
        base.put("inputs", models.spec().inputs()).put("outputs", models.spec().outputs());
        models.spec().hidden().forEach(base.putArray("hidden")::add);
        o.put("adapters", models.list().size());
        o.put("admin", !config.admin().enabled() ? "off" : config.admin().token() != null ? "token" : "open");
        ObjectNode served = o.putObject("served");
        served.put("requests", batcher.requestsDone()).put("rows", batcher.rowsDone()).put("passes", batcher.passes()).put("queuedRows", batcher.queuedRows());
        latencies.write(o.putObject("latency"));
        ObjectNode memory = o.putObject("memory");
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long afterGc = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage collected = pool.getCollectionUsage();
            if (pool.getType() == MemoryType.HEAP && collected != null) afterGc += collected.getUsed();
        }
        memory.put("heapUsed", heap.getUsed()).put("heapCommitted", heap.getCommitted()).put("heapMax", heap.getMax()).put("heapAfterLastGc", afterGc);
        Limits l = config.limits();
        ObjectNode limits = o.putObject("limits");
        limits.put("maxBodyBytes", l.maxBodyBytes()).put("maxImages", l.maxImages()).put("maxModels", l.maxModels()).put("maxBatchRows", l.maxBatchRows())
                .put("maxQueueRows", l.maxQueueRows()).put("batchWaitMs", l.batchWait().toNanos() / 1e6).put("timeoutMs", l.timeout().toMillis())
                .put("threads", l.threads()).put("computeThreads", l.computeThreads()).put("maxAdapters", l.maxAdapters());
        return o;
    }

    private ObjectNode adapters() {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode list = o.putArray("adapters");
        for (Models.Loaded a : models.list()) list.add(describe(a));
        return o;
    }

    private ObjectNode describe(Models.Loaded a) {
        ObjectNode o = JSON.createObjectNode();
        o.put("name", a.name()).put("rank", a.spec().rank()).put("alpha", a.spec().alpha()).put("scaling", a.spec().scaling());
        a.spec().targets().forEach(o.putArray("targets")::add);
        o.put("trainBias", a.spec().trainBias()).put("parameters", a.spec().trainableParameters(models.spec())).put("source", a.source());
        String classes = a.metadata().get("toylora.new-classes");
        if (classes != null) o.put("newClasses", classes);
        return o;
    }

    private ObjectNode predict(HttpExchange exchange) throws IOException {
        requireType(exchange, "application/json");
        JsonNode root = JSON.readTree(body(exchange, config.limits().maxBodyBytes()));
        long deadline = System.nanoTime() + config.limits().timeout().toNanos();
        PredictApi.Request request = PredictApi.parse(root, models, config.limits(), batcher.strategy(), deadline);
        Batcher.Job job = new Batcher.Job(request.features(), request.images().size(), request.models(), deadline);
        batcher.submit(job);
        float[] logits;
        try {
            logits = job.answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            job.answer.cancel(false); // the batcher skips it if it has not run yet
            throw ApiException.busy("not answered within " + config.limits().timeout().toMillis() + " ms (--timeout); the server is busy");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ApiException api) throw api;
            throw ApiException.badRequest("the request failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.busy("the server is shutting down");
        }
        return PredictApi.answer(request, logits, models.spec().outputs());
    }

    private ObjectNode loadFromFolder(HttpExchange exchange) throws IOException {
        requireAdmin(exchange);
        requireType(exchange, "application/json");
        Path folder = config.adaptersDir();
        if (folder == null) throw new ApiException(403, "this server loads no adapters from files (start it with --adapters-dir DIR); upload one with PUT /api/adapters/NAME");
        JsonNode root = JSON.readTree(body(exchange, 64 << 10));
        if (root == null || !root.isObject() || !root.path("name").isTextual() || !root.path("file").isTextual() || root.size() != 2) {
            throw ApiException.badRequest("expected {\"name\": \"NAME\", \"file\": \"path/in/the/adapters/folder.safetensors\"}");
        }
        String name = root.get("name").asText();
        String relative = root.get("file").asText();
        Path file = SafePaths.resolve(folder, relative, "file");
        if (Files.size(file) > config.limits().maxBodyBytes()) throw ApiException.tooLarge("file '" + relative + "' is larger than " + config.limits().maxBodyBytes() + " bytes");
        Models.Loaded loaded = models.load(name, Files.readAllBytes(file), relative);
        LOG.info("loaded adapter '{}' from {}", name, relative);
        return describe(loaded);
    }

    private ObjectNode upload(HttpExchange exchange, String name) throws IOException {
        requireAdmin(exchange);
        requireType(exchange, "application/octet-stream");
        byte[] bytes = body(exchange, config.limits().maxBodyBytes());
        Models.Loaded loaded = models.load(name, bytes, "upload '" + SafePaths.printable(name) + "'");
        LOG.info("loaded adapter '{}' from an upload of {} bytes", name, bytes.length);
        return describe(loaded);
    }

    private ObjectNode unload(HttpExchange exchange, String name) {
        requireAdmin(exchange);
        models.unload(name);
        LOG.info("unloaded adapter '{}'", name);
        return JSON.createObjectNode().put("unloaded", name);
    }

    private ObjectNode adapterFiles(HttpExchange exchange) throws IOException {
        requireAdmin(exchange);
        ObjectNode o = JSON.createObjectNode();
        ArrayNode files = o.putArray("files");
        Path folder = config.adaptersDir();
        if (folder == null) return o;
        Path root = folder.toRealPath();
        try (Stream<Path> walk = Files.walk(root, 4)) {
            Iterator<Path> it = walk.filter(p -> p.getFileName().toString().endsWith(".safetensors") && Files.isRegularFile(p)).sorted().iterator();
            for (int n = 0; it.hasNext() && n < 500; n++) files.add(root.relativize(it.next()).toString().replace('\\', '/'));
        }
        return o;
    }

    private static ApiException unknownAdapter(String name) {
        return ApiException.notFound("no adapter named '" + SafePaths.printable(name) + "' is loaded");
    }

    private void requireAdmin(HttpExchange exchange) {
        Admin admin = config.admin();
        if (!admin.enabled()) throw new ApiException(403, "loading and unloading adapters is switched off on this server (--no-admin)");
        String token = admin.token();
        if (token == null) return;
        String given = exchange.getRequestHeaders().getFirst("Authorization");
        byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        if (given == null || !MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(401, "loading and unloading need the token given at start: send 'Authorization: Bearer TOKEN'");
        }
    }

    /**
     * The body must say what it is: a page elsewhere can send text/plain or a form to this port without asking, but
     * not application/json or application/octet-stream (those need a CORS preflight, which this server never grants).
     */
    private static void requireType(HttpExchange exchange, String expected) {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        String media = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!media.equals(expected)) {
            throw new ApiException(415, "Content-Type must be " + expected + ", got " + (type == null ? "none" : "'" + SafePaths.printable(type) + "'"));
        }
    }

    /** The request body, at most {@code limit} bytes (413 beyond, told by Content-Length or found while reading). */
    private static byte[] body(HttpExchange exchange, int limit) throws IOException {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.strip()) > limit) throw ApiException.tooLarge("the body is " + length.strip() + " bytes; at most " + limit + " (--max-body)");
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("Content-Length '" + SafePaths.printable(length) + "' is not a number");
            }
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) throw ApiException.tooLarge("the body is larger than " + limit + " bytes (--max-body)");
            if (bytes.length == 0) throw ApiException.badRequest("the request has no body");
            return bytes;
        }
    }
}
