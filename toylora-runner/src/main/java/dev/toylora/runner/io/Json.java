package dev.toylora.runner.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The runner's one JSON mapper, and the two ways it writes: indented for files people read (metrics.json,
 * sweep.json), canonical for text that is hashed. One mapper keeps every file's number and field formats alike.
 */
public final class Json {
    /** Reads everything and binds the experiment records; writes compactly (safetensors headers). */
    public static final JsonMapper MAPPER = JsonMapper.builder().build();

    /** Two-space indented, as every JSON file meant for people is written. */
    private static final ObjectWriter PRETTY = MAPPER.writerWithDefaultPrettyPrinter();

    /** Map entries sorted by key: equal values always give the same text. */
    private static final ObjectWriter CANONICAL = MAPPER.writer().with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private Json() {}

    /** {@code value} indented, with a final newline: the text of a JSON file. */
    public static String pretty(Object value) {
        return write(PRETTY, value) + "\n";
    }

    /** {@code value} compact with map entries sorted by key, for hashing. */
    public static String canonical(Object value) {
        return write(CANONICAL, value);
    }

    public static JsonNode read(Path file) {
        try {
            return MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The file bound to {@code type}; an unreadable file or one that does not fit the type throws, with the reason. */
    public static <T> T read(Path file, Class<T> type) {
        try {
            return MAPPER.readValue(file.toFile(), type);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String write(ObjectWriter writer, Object value) {
        try {
            return writer.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
