package dev.toylora.runner.results;

import dev.toylora.runner.io.MarkdownTable;
import dev.toylora.runner.train.ClassAccuracy;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The side-by-side table of base and adapted accuracy per class, as printed and as saved in comparison.md. */
public final class ComparisonTable {
    private ComparisonTable() {}

    /** Base and (when fine-tuned) adapted accuracy per class, per class group and overall. */
    public static String markdown(ClassAccuracy base, Optional<ClassAccuracy> after, List<Integer> oldClasses,
                                  List<Integer> newClasses) {
        ClassAccuracy adapted = after.orElse(base);
        boolean tuned = after.isPresent();
        MarkdownTable table = new MarkdownTable().right("class").right("test images").right("base %");
        if (tuned) table.right("adapted %").right("change");
        for (int c = 0; c < base.classes(); c++) {
            row(table, String.valueOf(c), base.total()[c], base.of(c), adapted.of(c), tuned);
        }
        row(table, "old " + oldClasses, count(base, oldClasses), base.group(oldClasses), adapted.group(oldClasses), tuned);
        row(table, "new " + newClasses, count(base, newClasses), base.group(newClasses), adapted.group(newClasses), tuned);
        row(table, "**overall**", (int) base.examples(), base.overall(), adapted.overall(), tuned);
        return table.toString();
    }

    private static int count(ClassAccuracy accuracy, List<Integer> classes) {
        int n = 0;
        for (int c : classes) n += accuracy.total()[c];
        return n;
    }

    private static void row(MarkdownTable table, String label, int images, double base, double adapted, boolean tuned) {
        if (tuned) table.row(label, String.valueOf(images), f(base), f(adapted), String.format(Locale.ROOT, "%+.2f", adapted - base));
        else table.row(label, String.valueOf(images), f(base));
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
