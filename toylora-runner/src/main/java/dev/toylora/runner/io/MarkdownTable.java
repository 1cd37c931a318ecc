package dev.toylora.runner.io;

import java.util.ArrayList;
import java.util.List;

/**
 * A GitHub-flavoured markdown table, as every table of the runner is written: {@code | a | b |} rows under a
 * {@code |---|---:|} rule, one line each, ending in a newline. Pipes inside a cell are escaped.
 */
public final class MarkdownTable {
    private final List<String> titles = new ArrayList<>();
    private final List<String> rule = new ArrayList<>();
    private final List<List<String>> rows = new ArrayList<>();

    /** Adds a left-aligned column (text). */
    public MarkdownTable left(String title) {
        return column(title, "---");
    }

    /** Adds a right-aligned column (numbers). */
    public MarkdownTable right(String title) {
        return column(title, "---:");
    }

    private MarkdownTable column(String title, String alignment) {
        if (!rows.isEmpty()) throw new IllegalStateException("columns come before rows");
        titles.add(title);
        rule.add(alignment);
        return this;
    }

    /** Adds a row of as many cells as there are columns. */
    public MarkdownTable row(List<String> cells) {
        if (cells.size() != titles.size()) {
            throw new IllegalArgumentException("a row of " + cells.size() + " cells in a table of " + titles.size() + " columns");
        }
        rows.add(List.copyOf(cells));
        return this;
    }

    public MarkdownTable row(String... cells) {
        return row(List.of(cells));
    }

    public int rowCount() {
        return rows.size();
    }

    /** The table, every line ending in a newline. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        line(out, titles);
        out.append('|').append(String.join("|", rule)).append("|\n");
        for (List<String> row : rows) line(out, row);
        return out.toString();
    }

    private static void line(StringBuilder out, List<String> cells) {
        out.append('|');
        for (String cell : cells) out.append(' ').append(cell.replace("|", "\\|")).append(" |");
        out.append('\n');
    }
}
