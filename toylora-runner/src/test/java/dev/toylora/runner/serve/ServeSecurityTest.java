package dev.toylora.runner.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Safe by default: loopback, loading guarded by a token or switched off, never open to the network unasked. */
class ServeSecurityTest {

    @Test
    void loadingNeedsTheTokenGivenAtStart() throws Exception {
        String token = "0123456789abcdef-token";
        try (Server server = Server.start(Fixtures.config(Map.of(), null, Limits.defaults(), Batcher.Strategy.SHARED, new Server.Admin(true, token)))) {
            byte[] nine = Files.readAllBytes(Fixtures.adapters().get("nine"));
            assertEquals(401, Fixtures.put(server, "/api/adapters/nine", nine).status());
            assertEquals(401, Fixtures.put(server, "/api/adapters/nine", nine, "Authorization", "Bearer wrong").status());
            assertEquals(401, Fixtures.put(server, "/api/adapters/nine", nine, "Authorization", token).status());
            assertEquals(0, server.models().list().size());
            assertEquals(201, Fixtures.put(server, "/api/adapters/nine", nine, "Authorization", "Bearer " + token).status());
            assertEquals(401, Fixtures.delete(server, "/api/adapters/nine").status());
            assertEquals(200, Fixtures.delete(server, "/api/adapters/nine", "Authorization", "Bearer " + token).status());
            // Predicting needs no token.
            assertEquals(200, Fixtures.postJson(server, "/api/predict", "{\"images\": [{\"pixels\": \"" + java.util.Base64.getEncoder().encodeToString(new byte[784]) + "\"}]}").status());
        }
    }

    @Test
    void loadingCanBeSwitchedOff() throws Exception {
        try (Server server = Server.start(Fixtures.config(Map.of(), Fixtures.repo().resolve("results"), Limits.defaults(), Batcher.Strategy.SHARED, new Server.Admin(false, null)))) {
            Fixtures.Reply upload = Fixtures.put(server, "/api/adapters/nine", Files.readAllBytes(Fixtures.adapters().get("nine")));
            assertEquals(403, upload.status());
            assertTrue(upload.error().contains("switched off"), upload.error());
            assertEquals(403, Fixtures.postJson(server, "/api/adapters", Map.of("name", "x", "file", "lora-r16/checkpoints/adapter.safetensors")).status());
            assertEquals(403, Fixtures.delete(server, "/api/adapters/lora").status());
        }
    }

    @Test
    void listensOnLoopbackByDefaultAndRefusesAnOpenAdminElsewhere() throws Exception {
        ServeCommand command = new ServeCommand();
        new CommandLine(command).parseArgs("--base", Fixtures.base().toString(), "--backend", "java", "--port", "0");
        Server.Config config = command.config();
        assertEquals("127.0.0.1", config.host());
        try (Server server = Server.start(config)) {
            assertEquals("127.0.0.1", server.uri().getHost());
        }
        Server.Config open = new Server.Config(config.base(), Map.of(), null, null, "0.0.0.0", 0, config.backend(), config.limits(), config.strategy(), Server.Admin.open());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Server.start(open));
        assertTrue(e.getMessage().contains("--admin-token"), e.getMessage());
    }

    @Test
    void aStartAdapterOfAnotherBaseStopsTheStart() {
        Server.Config config = Fixtures.config(Map.of("fashion", Fixtures.foreignAdapter()), null, Limits.defaults(), Batcher.Strategy.SHARED, Server.Admin.open());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Server.start(config));
        assertTrue(e.getMessage().contains("another base"), e.getMessage());
    }
}
