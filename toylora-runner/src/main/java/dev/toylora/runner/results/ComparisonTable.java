package dev.toylora.runner.results;

import dev.toylora.runner.io.MarkdownTable;
import dev.toylora.runner.train.ClassAccuracy;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.IntStream;

/** The side-by-side table of base and adapted accuracy per class, as printed and as saved in comparison.md. */
public final class ComparisonTable {
    private ComparisonTable() {}

    /** Base and (when fine-tuned) adapted accuracy per class, per class group and overall; classes named by their numbers. */
    public static String markdown(ClassAccuracy base, Optional<ClassAccuracy> after, List<Integer> oldClasses,
                                  List<Integer> newClasses) {
        return markdown(base, after, oldClasses, newClasses, numbers(base.classes()));
    }

    /** As {@link #markdown(ClassAccuracy, Optional, List, List)}, each class's row labelled with its name too ({@link #label}). */
    public static String markdown(ClassAccuracy base, Optional<ClassAccuracy> after, List<Integer> oldClasses,
                                  List<Integer> newClasses, List<String> classNames) {
        ClassAccuracy adapted = after.orElse(base);
        boolean tuned = after.isPresent();
        MarkdownTable table = new MarkdownTable().right("class").right("test images").right("base %");
        if (tuned) table.right("adapted %").right("change");
        for (int c = 0; c < base.classes(); c++) {
            row(table, label(c, classNames), base.total()[c], base.of(c), adapted.of(c), tuned);
        }
        row(table, "old " + oldClasses, count(base, oldClasses), base.group(oldClasses), adapted.group(oldClasses), tuned);
        row(table, "new " + newClasses, count(base, newClasses), base.group(newClasses), adapted.group(newClasses), tuned);
        row(table, "**overall**", (int) base.examples(), base.overall(), adapted.overall(), tuned);
        return table.toString();
    }

    /** {@code "0"}, {@code "1"}, … {@code classes − 1}: the names of classes that have only numbers. */
    public static List<String> numbers(int classes) {
        return IntStream.range(0, classes).mapToObj(String::valueOf).toList();
    }

    /** A class as a table shows it: its number, and its name when it has one other than its number ({@code 8 Bag}). */
    public static String label(int c, List<String> classNames) {
        String name = c < classNames.size() ? classNames.get(c) : String.valueOf(c);
        return name.equals(String.valueOf(c)) ? name : c + " " + name;
    }

    /** Whether any class has a name other than its number. */
    public static boolean named(List<String> classNames) {
        return !classNames.equals(numbers(classNames.size()));
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
