package dev.toylora.runner.serve;

import static dev.toylora.runner.serve.Fixtures.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toylora.api.AdapterSet;
import dev.toylora.api.Batch;
import dev.toylora.api.Network;
import dev.toylora.io.safetensors.CheckpointMetadata;
import dev.toylora.io.safetensors.Safetensors;
import dev.toylora.io.data.DatasetLoader;
import dev.toylora.io.data.KnownDataset;
import dev.toylora.runner.predict.DigitImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The JSON API against the committed checkpoints: answers, the batched path's numbers, and every kind of bad request. */
class ServeApiTest {
    @TempDir
    static Path folder;

    static Server server;
    static byte[] digit;

    @BeforeAll
    static void start() throws IOException {
        // The adapters folder: an adapter of this base, one of another base, a base (not an adapter), and a subfolder.
        Files.createDirectories(folder.resolve("runs/eight"));
        Files.copy(Fixtures.adapters().get("eight"), folder.resolve("runs/eight/adapter.safetensors"));
        Files.copy(Fixtures.adapters().get("nine"), folder.resolve("nine.safetensors"));
        Files.copy(Fixtures.foreignAdapter(), folder.resolve("fashion.safetensors"));
        Files.copy(Fixtures.base(), folder.resolve("base.safetensors"));
        Map<String, Path> adapters = Map.of("lora", Fixtures.adapters().get("lora"), "eight", Fixtures.adapters().get("eight"));
        server = Server.start(Fixtures.config(new java.util.LinkedHashMap<>(adapters), folder, Limits.defaults(), Batcher.Strategy.SHARED, Server.Admin.open()));
        digit = DigitImage.read(Fixtures.file("samples/8-large.png")).pixels();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static ObjectNode request(List<?> models, Object... images) {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode list = o.putArray("images");
        for (Object image : images) list.add(JSON.valueToTree(image));
        o.set("models", JSON.valueToTree(models));
        return o;
    }

    static Map<String, String> pixels(byte[] pixels) {
        return Map.of("pixels", Base64.getEncoder().encodeToString(pixels));
    }

    @Test
    void healthAndAdapters() {
        JsonNode health = Fixtures.get(server, "/api/health").json();
        assertEquals("ok", health.path("status").asText());
        assertEquals("java", health.path("backend").asText());
        assertEquals(784, health.path("base").path("inputs").asInt());
        JsonNode adapters = Fixtures.get(server, "/api/adapters").json().path("adapters");
        assertTrue(adapters.size() >= 2, adapters.toString());
        assertEquals(16, Fixtures.get(server, "/api/adapters/lora").json().path("rank").asInt());
    }

    @Test
    void aPictureOfAnEightIsAnEightForTheAdapterAndNotForTheBase() throws IOException {
        Fixtures.Reply reply = Fixtures.postJson(server, "/api/predict",
                request(List.of("base", "lora"), Map.of("image", Fixtures.base64(Fixtures.file("samples/8-large.png")))));
        assertEquals(200, reply.status(), reply.body());
        JsonNode result = reply.json().path("results").get(0);
        assertEquals(784, Base64.getDecoder().decode(result.path("prepared").asText()).length);
        assertEquals("base", result.path("models").get(0).path("model").asText());
        assertNotEquals(8, result.path("models").get(0).path("digit").asInt(), "the base never learnt 8");
        assertEquals(8, result.path("models").get(1).path("digit").asInt());
        assertEquals(3, result.path("models").get(1).path("top").size());
    }

    /** What the server answers is what the adapter attached alone gives (and the weighted sum of updates for a mix). */
    @Test
    void batchedAnswersMatchEachAdapterAlone() throws IOException {
        ObjectNode body = request(List.of("base", "lora", "eight", Map.of("lora", 0.5, "eight", 0.5)), pixels(digit), Map.of("features", features(digit)));
        body.put("probabilities", true);
        Fixtures.Reply reply = Fixtures.postJson(server, "/api/predict", body);
        assertEquals(200, reply.status(), reply.body());

        Network network = Fixtures.java().restore(server.models().spec(), Safetensors.read(Fixtures.base()).tensors());
        AdapterSet set = new AdapterSet(network);
        for (String name : List.of("lora", "eight")) {
            Safetensors.Checkpoint file = Safetensors.read(Fixtures.adapters().get(name));
            set.add(name, CheckpointMetadata.loraSpec(file.metadata(), name), file.tensors());
        }
        set.addWeighted("mix", Map.of("lora", 0.5, "eight", 0.5), AdapterSet.Combination.CAT);
        float[] features = features(digit);
        List<String> used = Arrays.asList(null, "lora", "eight", "mix");
        for (int image = 0; image < 2; image++) {
            for (int m = 0; m < used.size(); m++) {
                if (used.get(m) == null) set.disable();
                else set.use(used.get(m));
                float[] logits = new float[10];
                network.logits(new Batch(features, new int[1], 1, 784), logits);
                double[] expected = PredictApi.softmax(logits, 0, 10);
                JsonNode got = reply.json().path("results").get(image).path("models").get(m).path("probabilities");
                for (int c = 0; c < 10; c++) assertEquals(expected[c], got.get(c).asDouble(), 2e-5, "image " + image + " model " + used.get(m) + " class " + c);
            }
        }
    }

    static float[] features(byte[] pixels) {
        return DatasetLoader.normalise(pixels, KnownDataset.MNIST.mean(), KnownDataset.MNIST.std());
    }

    static Stream<Arguments> badRequests() {
        String eight = "{\"pixels\":\"" + Base64.getEncoder().encodeToString(new byte[784]) + "\"}";
        String notAPicture = Base64.getEncoder().encodeToString("this is not a picture".getBytes(StandardCharsets.UTF_8));
        return Stream.of(
                Arguments.of("malformed JSON", "application/json", "{\"images\": [", 400, "malformed JSON"),
                Arguments.of("not an object", "application/json", "[1, 2]", 400, "JSON object"),
                Arguments.of("no images", "application/json", "{\"images\": []}", 400, "images"),
                Arguments.of("unknown field", "application/json", "{\"images\": [" + eight + "], \"adapter\": \"x\"}", 400, "unknown field 'adapter'"),
                Arguments.of("783 features", "application/json", "{\"images\": [{\"features\": " + Arrays.toString(new float[783]) + "}]}", 400, "784 numbers"),
                Arguments.of("a feature is not a number", "application/json", "{\"images\": [{\"features\": [\"x\"" + ",0".repeat(783) + "]}]}", 400, "images[0].features[0]"),
                Arguments.of("pixels of the wrong size", "application/json", "{\"images\": [{\"pixels\": \"AAAA\"}]}", 400, "784"),
                Arguments.of("pixels not base64", "application/json", "{\"images\": [{\"pixels\": \"%%%\"}]}", 400, "base64"),
                Arguments.of("an image that is not one", "application/json", "{\"images\": [{\"image\": \"" + notAPicture + "\"}]}", 400, "not a picture"),
                Arguments.of("an unknown adapter", "application/json", "{\"images\": [" + eight + "], \"models\": [\"nope\"]}", 404, "no adapter named 'nope'"),
                Arguments.of("an unknown adapter in a mix", "application/json", "{\"images\": [" + eight + "], \"models\": [{\"lora\": 1, \"nope\": 1}]}", 404, "nope"),
                Arguments.of("a weight out of range", "application/json", "{\"images\": [" + eight + "], \"models\": [{\"lora\": 1e9}]}", 400, "weight"),
                Arguments.of("top out of range", "application/json", "{\"images\": [" + eight + "], \"top\": 11}", 400, "top"),
                Arguments.of("too many images", "application/json", "{\"images\": [" + (eight + ",").repeat(256) + eight + "]}", 413, "at most 256"),
                Arguments.of("too many rows", "application/json", "{\"images\": [" + (eight + ",").repeat(99) + eight + "], \"models\": [\"base\", \"lora\", \"eight\"]}", 413, "300 rows"),
                Arguments.of("wrong content type", "text/plain", "{\"images\": [" + eight + "]}", 415, "Content-Type"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void badRequestsGetA4xxWithOneLineNamingTheProblem(String what, String type, String body, int status, String says) {
        Fixtures.Reply reply = Fixtures.post(server, "/api/predict", type, body.getBytes(StandardCharsets.UTF_8));
        assertEquals(status, reply.status(), what + ": " + reply.body());
        assertTrue(reply.error().contains(says), what + ": " + reply.error());
        assertFalse(reply.body().contains("\n"), "one line: " + reply.body());
    }

    @Test
    void otherBadRequests() throws IOException {
        assertEquals(404, Fixtures.get(server, "/api/nothing").status());
        assertEquals(405, Fixtures.get(server, "/api/predict").status());
        // A page elsewhere reaching in through DNS rebinding names its own host.
        Fixtures.Reply rebound = Fixtures.raw(server, "GET /api/health HTTP/1.1\r\nHost: evil.example:" + server.port() + "\r\nConnection: close\r\n\r\n", new byte[0]);
        assertEquals(403, rebound.status(), rebound.body());
        Fixtures.Reply huge2 = Fixtures.raw(server, "POST /api/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\nConnection: close\r\n\r\n", new byte[0]);
        assertEquals(413, huge2.status(), huge2.body());
    }

    @Test
    void badRequestsLeaveTheModelsAsTheyWere() {
        ObjectNode probe = request(List.of("base", "lora", "eight"), pixels(digit));
        probe.put("probabilities", true);
        String before = Fixtures.postJson(server, "/api/predict", probe).body();
        badRequests().forEach(a -> Fixtures.post(server, "/api/predict", (String) a.get()[1], ((String) a.get()[2]).getBytes(StandardCharsets.UTF_8)));
        Fixtures.put(server, "/api/adapters/eight", new byte[] {1, 2, 3});
        Fixtures.postJson(server, "/api/adapters", Map.of("name", "lora", "file", "../x.safetensors"));
        assertEquals(before, Fixtures.postJson(server, "/api/predict", probe).body());
    }

    @Test
    void loadsFromTheFolderOnlyByARelativePathInsideIt() throws IOException {
        for (String path : List.of("../secret.safetensors", "runs/../../secret.safetensors", "/etc/passwd", folder.resolve("nine.safetensors").toString(),
                "C:\\x.safetensors", ".hidden", "runs//eight/adapter.safetensors")) {
            Fixtures.Reply reply = Fixtures.postJson(server, "/api/adapters", Map.of("name", "x", "file", path));
            assertEquals(400, reply.status(), path + ": " + reply.body());
        }
        assertEquals(404, Fixtures.postJson(server, "/api/adapters", Map.of("name", "x", "file", "missing.safetensors")).status());
        Files.createSymbolicLink(folder.resolve("outside.safetensors"), Fixtures.adapters().get("nine"));
        Fixtures.Reply link = Fixtures.postJson(server, "/api/adapters", Map.of("name", "x", "file", "outside.safetensors"));
        assertEquals(400, link.status(), link.body());
        assertTrue(link.error().contains("leads out"), link.error());

        Fixtures.Reply foreign = Fixtures.postJson(server, "/api/adapters", Map.of("name", "fashion", "file", "fashion.safetensors"));
        assertEquals(409, foreign.status(), foreign.body());
        assertTrue(foreign.error().contains("another base"), foreign.error());
        Fixtures.Reply notAnAdapter = Fixtures.postJson(server, "/api/adapters", Map.of("name", "b", "file", "base.safetensors"));
        assertEquals(400, notAnAdapter.status(), notAnAdapter.body());

        Fixtures.Reply loaded = Fixtures.postJson(server, "/api/adapters", Map.of("name", "nine-folder", "file", "nine.safetensors"));
        assertEquals(201, loaded.status(), loaded.body());
        assertEquals(200, Fixtures.postJson(server, "/api/predict", request(List.of("nine-folder"), pixels(digit))).status());
        assertEquals(409, Fixtures.postJson(server, "/api/adapters", Map.of("name", "nine-folder", "file", "runs/eight/adapter.safetensors")).status());
        assertEquals(200, Fixtures.delete(server, "/api/adapters/nine-folder").status());
        assertEquals(404, Fixtures.postJson(server, "/api/predict", request(List.of("nine-folder"), pixels(digit))).status());
        assertTrue(Fixtures.get(server, "/api/adapter-files").body().contains("runs/eight/adapter.safetensors"));
    }

    @Test
    void uploadsMustBeAdaptersOfThisBase() throws IOException {
        assertEquals(409, Fixtures.put(server, "/api/adapters/fashion", Files.readAllBytes(Fixtures.foreignAdapter())).status());
        assertEquals(400, Fixtures.put(server, "/api/adapters/b", Files.readAllBytes(Fixtures.base())).status());
        assertEquals(400, Fixtures.put(server, "/api/adapters/junk", "not safetensors".getBytes(StandardCharsets.UTF_8)).status());
        byte[] nine = Files.readAllBytes(Fixtures.adapters().get("nine"));
        assertEquals(400, Fixtures.put(server, "/api/adapters/cut", Arrays.copyOf(nine, nine.length - 100)).status());
        assertEquals(400, Fixtures.put(server, "/api/adapters/..%2Fx", nine).status());
        assertEquals(400, Fixtures.put(server, "/api/adapters/base", nine).status());
        Fixtures.Reply up = Fixtures.put(server, "/api/adapters/nine-upload", nine);
        assertEquals(201, up.status(), up.body());
        assertEquals(9, up.json().path("newClasses").asInt());
        assertEquals(200, Fixtures.delete(server, "/api/adapters/nine-upload").status());
        assertEquals(404, Fixtures.delete(server, "/api/adapters/nine-upload").status());
    }

    @Test
    void thePageAndTheResultsFolderReadOnly() throws IOException {
        Fixtures.Reply page = Fixtures.get(server, "/");
        assertEquals(200, page.status());
        assertTrue(page.body().contains("<canvas id=\"pad\""));
        assertTrue(page.headers().get("content-security-policy").get(0).contains("default-src 'self'"));
        assertEquals(200, Fixtures.get(server, "/page/app.js").status());
        assertTrue(Fixtures.get(server, "/api/results").body().contains("\"lora-r16/per_class.csv\""));
        Fixtures.Reply table = Fixtures.get(server, "/results/lora-r16/per_class.csv");
        assertEquals(200, table.status());
        assertTrue(table.body().startsWith("class,"));
        assertEquals(200, Fixtures.get(server, "/results/rank-sweep/sweep.png").status());
        assertEquals(403, Fixtures.get(server, "/results/lora-r16/checkpoints/base.safetensors").status());
        for (String path : List.of("/results/../pom.xml", "/results/%2e%2e/pom.xml", "/results/lora-r16/../../pom.xml", "/results//etc/passwd")) {
            Fixtures.Reply reply = Fixtures.raw(server, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", new byte[0]);
            assertTrue(reply.status() == 400 || reply.status() == 404, path + ": " + reply.status() + " " + reply.body());
            assertFalse(reply.body().contains("<project"), path);
        }
    }
}
