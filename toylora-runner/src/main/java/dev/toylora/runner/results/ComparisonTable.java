package dev.toylora.runner.results;

import dev.toylora.runner.pipeline.RunResult;
import dev.toylora.runner.train.ClassAccuracy;
import java.util.Locale;

/** The side-by-side table of base and adapted accuracy per class, as printed and as saved in comparison.md. */
public final class ComparisonTable {
    private ComparisonTable() {}

    public static String markdown(RunResult result) {
        return markdown(result.base(), result.adapted(), result.oldClasses(), result.newClasses());
    }

    public static String markdown(ClassAccuracy base, java.util.Optional<ClassAccuracy> after, java.util.List<Integer> oldClasses,
                                  java.util.List<Integer> newClasses) {
        ClassAccuracy adapted = after.orElse(base);
        boolean tuned = after.isPresent();
        StringBuilder out = new StringBuilder();
        out.append("| class | test images | base % | ").append(tuned ? "adapted % | change |" : "").append('\n');
        out.append("|---:|---:|---:|").append(tuned ? "---:|---:|" : "").append('\n');
        for (int c = 0; c < base.classes(); c++) {
            row(out, String.valueOf(c), base.total()[c], base.of(c), adapted.of(c), tuned);
        }
        row(out, "old " + oldClasses, count(base, oldClasses), base.group(oldClasses), adapted.group(oldClasses), tuned);
        row(out, "new " + newClasses, count(base, newClasses), base.group(newClasses), adapted.group(newClasses), tuned);
        row(out, "**overall**", (int) base.examples(), base.overall(), adapted.overall(), tuned);
        return out.toString();
    }

    private static int count(ClassAccuracy accuracy, java.util.List<Integer> classes) {
        int n = 0;
        for (int c : classes) n += accuracy.total()[c];
        return n;
    }

    private static void row(StringBuilder out, String label, int images, double base, double adapted, boolean tuned) {
        out.append("| ").append(label).append(" | ").append(images).append(" | ").append(f(base)).append(" |");
        if (tuned) out.append(' ').append(f(adapted)).append(" | ").append(signed(adapted - base)).append(" |");
        out.append('\n');
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String signed(double v) {
        return String.format(Locale.ROOT, "%+.2f", v);
    }
}
