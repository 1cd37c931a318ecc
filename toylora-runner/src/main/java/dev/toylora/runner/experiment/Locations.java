package dev.toylora.runner.experiment;

import java.util.HashMap;
import java.util.Map;

/**
 * Where each dotted path was written: {@code file:line:column} for the value and for the key, or
 * {@code override '…'}. A path without an entry (a default) takes its nearest ancestor's location, and
 * finally the bare source name.
 */
final class Locations {

    private final String source;
    private final Map<String, String> values;
    private final Map<String, String> keys;

    Locations(String source) {
        this(source, new HashMap<>(), new HashMap<>());
    }

    private Locations(String source, Map<String, String> values, Map<String, String> keys) {
        this.source = source;
        this.values = values;
        this.keys = keys;
    }

    String source() {
        return source;
    }

    String at(int line, int column) {
        return source + ":" + line + ":" + column;
    }

    void value(String path, String where) {
        values.put(path, where);
    }

    void key(String path, String where) {
        keys.put(path, where);
    }

    boolean has(String path) {
        return values.containsKey(path);
    }

    /** Where the value at {@code path} was written, or where its nearest written ancestor was. */
    String value(String path) {
        String p = path;
        while (true) {
            String w = values.get(p);
            if (w != null) return w;
            if (p.isEmpty()) return source;
            p = parent(p);
        }
    }

    /** Where the key of {@code path} was written (for unknown and duplicate keys). */
    String key(String path) {
        String w = keys.get(path);
        return w != null ? w : value(path);
    }

    /** {@code path} and everything below it now come from {@code where}. */
    void replace(String path, String where) {
        values.keySet().removeIf(p -> isWithin(p, path));
        keys.keySet().removeIf(p -> isWithin(p, path));
        values.put(path, where);
        keys.put(path, where);
    }

    Locations copy() {
        return new Locations(source, new HashMap<>(values), new HashMap<>(keys));
    }

    static boolean isWithin(String p, String path) {
        return p.equals(path) || p.startsWith(path + ".") || p.startsWith(path + "[");
    }

    static String parent(String path) {
        int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
        return cut < 0 ? "" : path.substring(0, cut);
    }
}
