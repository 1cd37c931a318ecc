package dev.toylora.runner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.runner.results.ResultsTable;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code report --readme} fills the results table and every marked sweep table from the committed results. */
class ReportCommandTest {
    @TempDir
    Path dir;

    private static Path repository() {
        Path d = Path.of("").toAbsolutePath();
        while (d != null && !Files.isDirectory(d.resolve("experiments"))) d = d.getParent();
        if (d == null) throw new IllegalStateException("cannot find the repository root (a folder holding experiments/)");
        return d;
    }

    @Test
    void fillsTheResultsTableAndEachMarkedSweepTable() throws Exception {
        Path results = repository().resolve("results");
        String sweep = dir.relativize(results.resolve("rank-sweep")).toString();
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, "# r\n\n" + ResultsTable.BEGIN + "\nold\n" + ResultsTable.END + "\n\ntext\n\n<!-- sweep-table:" + sweep
                + " -->\nstale rows\n<!-- /sweep-table -->\n\nafter\n");

        MainTest.Outcome o = MainTest.run("report", "--results", results.toString(), "--readme", readme.toString());
        assertEquals(0, o.exit(), o.err());
        assertTrue(o.out().contains("1 sweep table(s)"), o.out());
        String text = Files.readString(readme);
        assertTrue(text.contains("| rank=4 | 11,250 | 1.95 | 98.40 | 97.23 | 98.17 | 0.14 |"), text);
        assertTrue(text.contains("| lora-r16 | ojalgo | mnist | LoRA r=16 on fc1,fc2,fc3,fc4 | 3.0 | 42,282 (7.0%) | 98.54 | 0.00 | 98.49 | 97.88 | **98.37** |"), text);
        assertTrue(!text.contains("stale rows") && !text.contains("\nold\n"), text);
        assertTrue(text.endsWith("<!-- /sweep-table -->\n\nafter\n"), text);

        MainTest.Outcome again = MainTest.run("report", "--results", results.toString(), "--readme", readme.toString());
        assertEquals(0, again.exit(), again.err());
        assertEquals(text, Files.readString(readme), "a second report changes nothing");
    }

    @Test
    void aMarkerNamingNoSweepIsAClearError() throws Exception {
        Path readme = dir.resolve("README.md");
        String original = ResultsTable.BEGIN + "\n" + ResultsTable.END + "\n<!-- sweep-table:results/nowhere -->\n<!-- /sweep-table -->\n";
        Files.writeString(readme, original);
        MainTest.Outcome o = MainTest.run("report", "--results", repository().resolve("results").toString(), "--readme", readme.toString());
        assertEquals(2, o.exit(), o.out());
        assertTrue(o.err().contains("sweep-table:results/nowhere") && o.err().contains("holds no sweep"), o.err());
        assertEquals(original, Files.readString(readme), "nothing written");
    }
}
