package dev.toylora.runner.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.runner.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code runner serve} from the command line: it prints its port, answers, and stops; bad arguments exit 2. */
class ServeCommandTest {

    @Test
    void servesOnThePortItPrintsUntilStopped() throws Exception {
        StringWriter out = new StringWriter(), err = new StringWriter();
        AtomicInteger exit = new AtomicInteger(-1);
        Thread serving = new Thread(() -> exit.set(Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "serve",
                "--base", Fixtures.base().toString(), "--adapter", "lora=" + Fixtures.adapters().get("lora"), "--backend", "java", "--port", "0")));
        serving.start();
        Matcher port = Pattern.compile("\\(port (\\d+);").matcher("");
        for (int i = 0; i < 300 && !port.reset(out.toString()).find(); i++) Thread.sleep(100);
        assertTrue(port.reset(out.toString()).find(), "no port printed: " + out + err);
        assertTrue(out.toString().contains("[lora]"), out.toString());
        HttpResponse<String> health = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.group(1) + "/api/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        assertTrue(health.body().contains("\"adapters\":1"), health.body());
        serving.interrupt();
        serving.join(10_000);
        assertEquals(0, exit.get(), err.toString());
    }

    @Test
    void badArgumentsExit2WithTheReason() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "serve", "--base", Fixtures.base().toString(),
                "--adapter", "fashion=" + Fixtures.foreignAdapter(), "--backend", "java", "--port", "0");
        assertEquals(2, code, out + " " + err);
        assertTrue(err.toString().contains("another base"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "serve", "--base", Fixtures.base().toString(), "--adapter", "noequals"));
        assertTrue(err.toString().contains("NAME=FILE"), err.toString());
    }
}
