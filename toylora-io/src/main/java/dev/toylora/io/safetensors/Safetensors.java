package dev.toylora.io.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toylora.api.Tensor;
import dev.toylora.io.files.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safetensors format (as Hugging Face defines it): 8-byte little-endian header length, a JSON
 * header mapping each tensor name to {@code dtype}, {@code shape} and {@code data_offsets}, an
 * optional {@code __metadata__} map of strings, then the raw little-endian data. Only F32 is
 * written and read, which is all ToyLoRA stores.
 */
public final class Safetensors {
    private static final long MAX_HEADER = 100L * 1024 * 1024;
    /** Compact output, default settings: the header is written exactly as the runner always wrote it. */
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Safetensors() {}

    /** A file's tensors (in name order) and metadata. */
    public record Checkpoint(Map<String, Tensor> tensors, Map<String, String> metadata) {
        public Checkpoint {
            tensors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            metadata = Map.copyOf(metadata);
        }
    }

    /** Writes the file whole or not at all. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        AtomicFiles.write(file, encode(tensors, metadata));
    }

    public static byte[] encode(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, Tensor> sorted = new TreeMap<>(tensors);
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            new TreeMap<>(metadata).forEach(meta::put);
        }
        long offset = 0;
        for (var e : sorted.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            var shape = t.putArray("shape");
            for (int d : e.getValue().shape()) shape.add(d);
            long bytes = e.getValue().size() * 4;
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int padded = (json.length + 7) / 8 * 8; // the format allows trailing spaces; aligned data reads faster
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + padded + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded);
        out.put(json);
        for (int i = json.length; i < padded; i++) out.put((byte) ' ');
        for (Tensor t : sorted.values()) {
            for (float v : t.data()) out.putFloat(v);
        }
        return out.array();
    }

    public static Checkpoint read(Path file) {
        byte[] bytes;
        try {
            if (Files.isDirectory(file)) throw new CheckpointException(file + ": is a directory, expected a .safetensors file");
            bytes = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new CheckpointException(file + ": no such file");
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read: " + e.getMessage());
        }
        return decode(bytes, file.toString());
    }

    public static Checkpoint decode(byte[] bytes, String source) {
        if (bytes.length < 8) throw new CheckpointException(source + ": truncated: " + bytes.length + " bytes, a safetensors file starts with an 8-byte header length");
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = in.getLong();
        if (headerLength < 2 || headerLength > MAX_HEADER || headerLength > bytes.length - 8) {
            throw new CheckpointException(source + ": header length " + headerLength + " does not fit a file of " + bytes.length + " bytes");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CheckpointException(source + ": header is not valid JSON: " + e.getOriginalMessage());
        }
        if (header == null || !header.isObject()) throw new CheckpointException(source + ": header must be a JSON object");
        long dataStart = 8 + headerLength;
        long dataLength = bytes.length - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        List<long[]> ranges = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            var e = it.next();
            String name = e.getKey();
            JsonNode node = e.getValue();
            if (name.equals("__metadata__")) {
                if (!node.isObject()) throw new CheckpointException(source + ": __metadata__ must be an object of strings");
                node.fields().forEachRemaining(m -> {
                    if (!m.getValue().isTextual()) throw new CheckpointException(source + ": __metadata__." + m.getKey() + " must be a string");
                    metadata.put(m.getKey(), m.getValue().asText());
                });
                continue;
            }
            String where = source + ": tensor '" + name + "'";
            String dtype = node.path("dtype").asText("");
            if (!dtype.equals("F32")) throw new CheckpointException(where + ": dtype '" + dtype + "' is not supported, expected F32");
            JsonNode shapeNode = node.path("shape");
            JsonNode offsets = node.path("data_offsets");
            if (!shapeNode.isArray()) throw new CheckpointException(where + ": shape must be an array of integers");
            if (!offsets.isArray() || offsets.size() != 2 || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
                throw new CheckpointException(where + ": data_offsets must be [begin, end]");
            }
            int[] shape = new int[shapeNode.size()];
            long elements = 1;
            for (int i = 0; i < shape.length; i++) {
                JsonNode d = shapeNode.get(i);
                if (!d.canConvertToInt() || d.asInt() < 0) throw new CheckpointException(where + ": shape " + shapeNode + " must hold integers >= 0");
                shape[i] = d.asInt();
                elements *= shape[i];
                if (elements > Integer.MAX_VALUE) throw new CheckpointException(where + ": shape " + shapeNode + " is too large");
            }
            long begin = offsets.get(0).asLong(), end = offsets.get(1).asLong();
            if (begin < 0 || end < begin || end > dataLength) {
                throw new CheckpointException(where + ": data_offsets [" + begin + ", " + end + "] lie outside the " + dataLength + " data bytes"
                        + (end > dataLength && begin >= 0 && end >= begin ? "; the file is truncated (or its header is wrong)" : ""));
            }
            if (end - begin != elements * 4) {
                throw new CheckpointException(where + ": shape " + shapeNode + " needs " + elements * 4 + " bytes, data_offsets give " + (end - begin));
            }
            ranges.add(new long[] {begin, end});
            float[] data = new float[(int) elements];
            ByteBuffer slice = ByteBuffer.wrap(bytes, (int) (dataStart + begin), (int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
            slice.asFloatBuffer().get(data);
            tensors.put(name, new Tensor(shape, data));
        }
        ranges.sort((a, b) -> Long.compare(a[0], b[0]));
        for (int i = 1; i < ranges.size(); i++) {
            if (ranges.get(i)[0] < ranges.get(i - 1)[1]) throw new CheckpointException(source + ": tensors' data_offsets overlap");
        }
        return new Checkpoint(new TreeMap<>(tensors), metadata);
    }
}
