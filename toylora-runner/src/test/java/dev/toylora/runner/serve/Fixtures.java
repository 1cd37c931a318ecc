package dev.toylora.runner.serve;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toylora.api.Backend;
import dev.toylora.api.Backends;
import dev.toylora.io.data.RealData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The committed checkpoints, a server over them on the plain-Java engine, and an HTTP client for it. */
final class Fixtures {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Fixtures() {}

    static Path repo() {
        return RealData.repoRoot();
    }

    static Path file(String relative) {
        Path file = repo().resolve(relative);
        if (!Files.isRegularFile(file)) fail("the committed file " + relative + " is missing");
        return file;
    }

    static Path base() {
        return file("results/lora-r16/checkpoints/base.safetensors");
    }

    /** Adapters of that base: 8 and 9 learnt together, 8 alone, 9 alone, and 8 and 9 on the classifier only. */
    static Map<String, Path> adapters() {
        Map<String, Path> adapters = new LinkedHashMap<>();
        adapters.put("lora", file("results/lora-r16/checkpoints/adapter.safetensors"));
        adapters.put("eight", file("results/lora-r16-eight/checkpoints/adapter.safetensors"));
        adapters.put("nine", file("results/lora-r16-nine/checkpoints/adapter.safetensors"));
        adapters.put("classifier", file("results/lora-r16-classifier/checkpoints/adapter.safetensors"));
        return adapters;
    }

    /** An adapter trained on another base (Fashion-MNIST's). */
    static Path foreignAdapter() {
        return file("results/fashion-lora-r16/checkpoints/adapter.safetensors");
    }

    static Backend java() {
        return Backends.get("java");
    }

    static Server.Config config(Map<String, Path> adapters, @Nullable Path adaptersDir, Limits limits, Batcher.Strategy strategy, Server.Admin admin) {
        return new Server.Config(base(), adapters, adaptersDir, repo().resolve("results"), "127.0.0.1", 0, java(), limits, strategy, admin);
    }

    record Reply(int status, String body, Map<String, java.util.List<String>> headers) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        String error() {
            return json().path("error").asText();
        }
    }

    static Reply get(Server server, String path) {
        return send(server, HttpRequest.newBuilder(uri(server, path)).GET());
    }

    static Reply post(Server server, String path, String contentType, byte[] body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(server, path)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", contentType);
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return send(server, b);
    }

    static Reply postJson(Server server, String path, Object body) {
        try {
            return post(server, path, "application/json", body instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static Reply put(Server server, String path, byte[] body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(server, path)).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", "application/octet-stream");
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return send(server, b);
    }

    static Reply delete(Server server, String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(server, path)).DELETE();
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return send(server, b);
    }

    private static URI uri(Server server, String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static Reply send(Server server, HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = CLIENT.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body(), r.headers().map());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A request written byte for byte (no client normalises its path or guards its Host header); the status and body. */
    static Reply raw(Server server, String requestHead, byte[] body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(requestHead.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) > 0; ) {
                all.write(buffer, 0, n);
                String text = all.toString(StandardCharsets.ISO_8859_1);
                int end = text.indexOf("\r\n\r\n");
                if (end > 0) {
                    var m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(text.substring(0, end));
                    if (m.find() && all.size() >= end + 4 + Integer.parseInt(m.group(1))) break;
                }
            }
            String text = all.toString(StandardCharsets.UTF_8);
            int status = Integer.parseInt(text.substring(9, 12));
            int end = text.indexOf("\r\n\r\n");
            return new Reply(status, end < 0 ? "" : text.substring(end + 4), Map.of());
        }
    }

    /** A picture file as base64, for {"image": …}. */
    static String base64(Path file) throws IOException {
        return java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(file));
    }
}
