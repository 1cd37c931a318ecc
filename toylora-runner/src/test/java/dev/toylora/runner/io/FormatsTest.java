package dev.toylora.runner.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FormatsTest {

    @Test
    void csvQuotesOnlyWhatMustBeQuotedAndKeepsEmptyCellsEmpty() {
        assertEquals("a,b,c\nrank=4,alpha=8,x\n", Csv.write(List.of("a", "b", "c"), List.of(List.of("rank=4", "alpha=8", "x"))));
        assertEquals("label,value\n\"rank=4,alpha=8\",0.5·lora-8 + 1 (cat)\n\"say \"\"hi\"\"\",\n",
                Csv.write(List.of("label", "value"), List.of(List.of("rank=4,alpha=8", "0.5·lora-8 + 1 (cat)"), List.of("say \"hi\"", ""))));
        assertEquals("a\n", Csv.write(List.of("a"), List.of()));
    }

    @Test
    void markdownTablesHaveOneRuleAndEscapedPipes() {
        String table = new MarkdownTable().left("name").right("n").row("a|b", "1").row(List.of("c", "2")).toString();
        assertEquals("| name | n |\n|---|---:|\n| a\\|b | 1 |\n| c | 2 |\n", table);
        assertThrows(IllegalArgumentException.class, () -> new MarkdownTable().left("one").row("a", "b"));
        assertThrows(IllegalStateException.class, () -> new MarkdownTable().left("one").row("a").left("two"));
    }

    @Test
    void jsonIsIndentedForPeopleAndSortedForHashing() {
        assertEquals("{\n  \"b\" : 1,\n  \"a\" : [ 1, 2 ]\n}\n", Json.pretty(Map.of("b", 1, "a", List.of(1, 2)).entrySet().stream()
                .sorted(Map.Entry.<String, Object>comparingByKey().reversed())
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (x, y) -> x, java.util.LinkedHashMap::new))));
        java.util.Map<String, Object> unsorted = new java.util.LinkedHashMap<>();
        unsorted.put("b", 1);
        unsorted.put("a", 2);
        assertEquals("{\"a\":2,\"b\":1}", Json.canonical(unsorted));
    }

    record Point(int x, List<String> labels) {}

    @Test
    void jsonReadsAFileIntoARecordAndSaysWhyNot(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("point.json");
        Files.writeString(file, Json.pretty(new Point(3, List.of("a", "b"))));
        assertEquals(new Point(3, List.of("a", "b")), Json.read(file, Point.class));
        Files.writeString(file, "{\"x\": 1, \"y\": 2}");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Json.read(file, Point.class));
        assertTrue(e.getMessage().startsWith("cannot read " + file + ": ") && e.getMessage().contains("\"y\""), e.getMessage());
    }
}
