package dev.toylora.runner.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.runner.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ShardTest {
    @TempDir
    Path dir;

    @Test
    void parsesIAndN() {
        assertEquals(new Shard(0, 7), Shard.parse("0/7"));
        assertEquals(new Shard(6, 7), Shard.parse(" 6 / 7 "));
        assertEquals(Shard.ALL, Shard.parse("0/1"));
        assertEquals("3/4", Shard.parse("3/4").toString());
    }

    @Test
    void theShardsPartitionTheTrials() {
        int n = 3;
        for (int trial = 0; trial < 20; trial++) {
            int owners = 0;
            for (int i = 0; i < n; i++) if (new Shard(i, n).includes(trial)) owners++;
            assertEquals(1, owners, "trial " + trial + " belongs to exactly one shard");
        }
        assertTrue(new Shard(1, 3).includes(4));
        assertFalse(new Shard(1, 3).includes(5));
        for (int trial = 0; trial < 5; trial++) assertTrue(Shard.ALL.includes(trial));
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "2/2; between 0 and 1 for 2 shards, got 2",
            "7/7; between 0 and 6 for 7 shards, got 7",
            "-1/3; between 0 and 2 for 3 shards, got -1",
            "1/0; at least 1, got 0",
            "0/-2; at least 1, got -2",
            "1; expected I/N",
            "a/b; expected I/N",
            "1/2/3; expected I/N",
            "'' ; expected I/N",
            "99999999999/2; fit an int"})
    void badShardsAreRefusedWithAMessage(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shard.parse(text));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void theCommandLineRefusesABadShardBeforeAnythingRuns() throws Exception {
        Path file = dir.resolve("s.yaml");
        Files.writeString(file, "sweep:\n  finetune.lora.rank: [1, 2]\n");
        StringWriter out = new StringWriter(), err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true),
                "--results", dir.resolve("results").toString(), file.toString(), "--shard", "2/2");
        assertEquals(2, exit);
        assertTrue(err.toString().contains("--shard") && err.toString().contains("between 0 and 1"), err.toString());
        assertFalse(err.toString().contains("\tat "), "no stack trace: " + err);
        assertFalse(Files.exists(dir.resolve("results")), "nothing written");
    }
}
