package dev.toylora.runner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.runner.results.FakeRuns;
import dev.toylora.runner.results.ResultsTable;
import dev.toylora.runner.results.RetentionTable;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report --readme} fills the results table and every marked sweep table from the committed results, in each
 * file it is given whichever blocks that file marks (README.md the results table, docs/results.md the sweep tables).
 */
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

    @Test
    void eachFileGetsTheBlocksItMarks() throws Exception {
        Path results = repository().resolve("results");
        Path docs = Files.createDirectories(dir.resolve("docs"));
        Path readme = dir.resolve("README.md");
        Path doc = docs.resolve("results.md");
        Files.writeString(readme, "# r\n\n" + ResultsTable.BEGIN + "\nold\n" + ResultsTable.END + "\n\nthe rest: docs/results.md\n");
        String rank = docs.relativize(results.resolve("rank-sweep")).toString();
        String target = docs.relativize(results.resolve("target-sweep")).toString();
        Files.writeString(doc, "# results\n\n<!-- sweep-table:" + rank + " -->\nstale rows\n<!-- /sweep-table -->\n\ntext\n\n<!-- sweep-table:"
                + target + " -->\n<!-- /sweep-table -->\n");

        MainTest.Outcome o = MainTest.run("report", "--results", results.toString(), "--readme", readme.toString(), "--readme", doc.toString());
        assertEquals(0, o.exit(), o.err());
        assertTrue(o.out().contains("updated the results table in " + readme + "\n"), o.out());
        assertTrue(o.out().contains("updated 2 sweep table(s) in " + doc + "\n"), o.out());
        String readmeText = Files.readString(readme), docText = Files.readString(doc);
        assertTrue(readmeText.contains("| lora-r16 | ojalgo | mnist |") && !readmeText.contains("rank=4"), readmeText);
        assertTrue(readmeText.endsWith(ResultsTable.END + "\n\nthe rest: docs/results.md\n"), readmeText);
        assertTrue(docText.contains("| rank=4 | 11,250 | 1.95 | 98.40 | 97.23 | 98.17 | 0.14 |"), docText);
        assertTrue(docText.contains("| targets=fc4 | 2,218 | 0.39 | 96.78 | 85.17 | 94.48 | 1.76 |"), docText);
        assertTrue(!docText.contains("stale rows") && !docText.contains("| experiment |"), docText);

        MainTest.Outcome again = MainTest.run("report", "--results", results.toString(), "--readme", readme.toString(), "--readme", doc.toString());
        assertEquals(0, again.exit(), again.err());
        assertEquals(readmeText, Files.readString(readme), "a second report changes nothing");
        assertEquals(docText, Files.readString(doc), "a second report changes nothing");
    }

    @Test
    void aFileWithNoMarkerIsAnErrorNamingItAndNoFileIsWritten() throws Exception {
        Path readme = dir.resolve("README.md");
        String original = ResultsTable.BEGIN + "\nold\n" + ResultsTable.END + "\n";
        Files.writeString(readme, original);
        Path plain = dir.resolve("plain.md");
        Files.writeString(plain, "# nothing marked here\n");
        MainTest.Outcome o = MainTest.run("report", "--results", repository().resolve("results").toString(),
                "--readme", readme.toString(), "--readme", plain.toString());
        assertEquals(2, o.exit(), o.out());
        assertTrue(o.err().contains(plain + ": no marked block to fill"), o.err());
        assertTrue(o.err().contains(RetentionTable.BEGIN + " … " + RetentionTable.END + " around the retention table"), o.err());
        assertEquals(original, Files.readString(readme), "nothing written, not even to the file that was fine");
        assertEquals("# nothing marked here\n", Files.readString(plain));
    }

    @Test
    void malformedMarkersAreClearErrors() throws Exception {
        String results = repository().resolve("results").toString();
        Path swapped = dir.resolve("swapped.md");
        Files.writeString(swapped, ResultsTable.END + "\n" + ResultsTable.BEGIN + "\n");
        MainTest.Outcome o = MainTest.run("report", "--results", results, "--readme", swapped.toString());
        assertEquals(2, o.exit(), o.out());
        assertTrue(o.err().contains(swapped + ": expected the markers " + ResultsTable.BEGIN + " and " + ResultsTable.END
                + " around the results table"), o.err());

        Path unclosed = dir.resolve("unclosed.md");
        String text = "<!-- sweep-table:results/rank-sweep -->\nrows\n";
        Files.writeString(unclosed, text);
        MainTest.Outcome u = MainTest.run("report", "--results", results, "--readme", unclosed.toString());
        assertEquals(2, u.exit(), u.out());
        assertTrue(u.err().contains(unclosed + ": 1 sweep-table marker(s) and 0 <!-- /sweep-table --> make 0 block(s)"), u.err());
        assertEquals(text, Files.readString(unclosed), "nothing written");
    }

    @Test
    void fillsTheRetentionBlockFromItsFiveRuns() throws Exception {
        Path results = dir.resolve("results");
        FakeRuns.writeAll(results);
        Path readme = dir.resolve("README.md");
        Path doc = dir.resolve("retention.md");
        Files.writeString(readme, "# r\n\n" + ResultsTable.BEGIN + "\nold\n" + ResultsTable.END + "\n\n" + RetentionTable.BEGIN
                + "\nstale rows\n" + RetentionTable.END + "\n\nafter\n");
        Files.writeString(doc, "# how each method keeps 0–7\n\n" + RetentionTable.BEGIN + "\n" + RetentionTable.END + "\n");

        MainTest.Outcome o = MainTest.run("report", "--results", results.toString(), "--readme", readme.toString(), "--readme", doc.toString());
        assertEquals(0, o.exit(), o.err());
        assertTrue(o.out().contains("updated the results table and the retention table in " + readme + "\n"), o.out());
        assertTrue(o.out().contains("updated the retention table in " + doc + "\n"), o.out());
        String text = Files.readString(readme), docText = Files.readString(doc);
        assertTrue(text.contains(RetentionTable.BEGIN + "\n| run | what keeps 0–7 | kept on disk for it |"), text);
        assertTrue(text.contains("| `lora-r16-ewc` | EWC | 2.3 MB Fisher diagonal | 40.25 | 97.60 | 51.72 | 12 | — |\n"), text);
        assertTrue(text.contains("| `lora-r16` | replay of stored images | 48,200 images (37.8 MB) | 98.49 | 97.88 | 98.37 | 32 | — |\n"
                + RetentionTable.END + "\n\nafter\n"), text);
        assertFalse(text.contains("stale rows"), text);
        assertEquals("# how each method keeps 0–7\n\n" + RetentionTable.BEGIN + "\n" + RetentionTable.markdown(results) + RetentionTable.END + "\n",
                docText);

        MainTest.Outcome again = MainTest.run("report", "--results", results.toString(), "--readme", readme.toString(), "--readme", doc.toString());
        assertEquals(0, again.exit(), again.err());
        assertEquals(text, Files.readString(readme), "a second report changes nothing");
        assertEquals(docText, Files.readString(doc), "a second report changes nothing");
    }

    @Test
    void anUnclosedRetentionBlockIsRefusedBeforeAnyRunIsRead() throws Exception {
        Path readme = dir.resolve("README.md");
        String original = ResultsTable.BEGIN + "\nold\n" + ResultsTable.END + "\n";
        Files.writeString(readme, original);
        Path unclosed = dir.resolve("unclosed.md");
        String text = "# r\n\n" + RetentionTable.BEGIN + "\nrows\n";
        Files.writeString(unclosed, text);
        // no runs at all under --results: the marker is the mistake reported
        MainTest.Outcome o = MainTest.run("report", "--results", dir.resolve("no-results").toString(), "--readme", readme.toString(),
                "--readme", unclosed.toString());
        assertEquals(2, o.exit(), o.out());
        assertTrue(o.err().contains(unclosed + ": 1 " + RetentionTable.BEGIN + " and 0 " + RetentionTable.END + " make 0 block(s)"), o.err());
        assertEquals(original, Files.readString(readme), "nothing written");
        assertEquals(text, Files.readString(unclosed), "nothing written");
    }

    @Test
    void aRetentionBlockWithoutItsRunsIsAnErrorNamingTheMissingFolder() throws Exception {
        Path results = dir.resolve("results");
        FakeRuns.writeAll(results);
        Files.delete(results.resolve("lora-r16-lwf").resolve("metrics.json"));
        Path readme = dir.resolve("README.md");
        String original = RetentionTable.BEGIN + "\nold\n" + RetentionTable.END + "\n";
        Files.writeString(readme, original);
        MainTest.Outcome o = MainTest.run("report", "--results", results.toString(), "--readme", readme.toString());
        assertEquals(2, o.exit(), o.out());
        assertTrue(o.err().contains("no results for the retention table in " + results.resolve("lora-r16-lwf") + " (no metrics.json)"), o.err());
        assertEquals(original, Files.readString(readme), "nothing written");
    }
}
