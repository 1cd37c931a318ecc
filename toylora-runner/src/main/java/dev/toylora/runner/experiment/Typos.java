package dev.toylora.runner.experiment;

import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** "Did you mean …?": the nearest of a list of names to a mistyped one, for experiment keys and command names alike. */
public final class Typos {
    private Typos() {}

    /** The candidate nearest to {@code word}, if near enough to be a typo; ignores case and treats {@code _} as {@code -}. */
    public static @Nullable String nearest(String word, List<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String w = normalise(word);
        for (String c : candidates) {
            int d = distance(w, normalise(c));
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        int limit = w.length() <= 3 ? 1 : w.length() <= 12 ? 2 : 3;
        return bestDistance <= limit ? best : null;
    }

    static String normalise(String s) {
        return s.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Optimal-string-alignment distance: Levenshtein plus adjacent transpositions (the commonest typo). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
