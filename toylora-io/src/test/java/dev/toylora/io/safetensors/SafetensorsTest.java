package dev.toylora.io.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.api.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path dir;

    @Test
    void roundTripIsBitIdentical() {
        Tensor w = new Tensor(new int[] {2, 3}, new float[] {1.5f, -0f, Float.MIN_VALUE, 3e38f, -7.25f, 0.1f});
        Tensor b = new Tensor(new int[] {2}, new float[] {Float.NaN, 1});
        Path file = dir.resolve("x.safetensors");
        Safetensors.write(file, Map.of("fc1.weight", w, "fc1.bias", b), Map.of("toylora.kind", "base"));
        Safetensors.Checkpoint read = Safetensors.read(file);
        assertTrue(read.tensors().get("fc1.weight").sameAs(w));
        assertTrue(read.tensors().get("fc1.bias").sameAs(b));
        assertEquals("base", read.metadata().get("toylora.kind"));
    }

    @Test
    void saveLoadSaveKeepsEveryBitAndByte() throws Exception {
        float nanWithPayload = Float.intBitsToFloat(0x7fc00123);
        Tensor w = new Tensor(new int[] {3}, new float[] {nanWithPayload, Float.NEGATIVE_INFINITY, -0f});
        Map<String, String> meta = Map.of("toylora.kind", "lora-adapter", "lora.rank", "2", "note", "ünïcode");
        Path file = dir.resolve("y.safetensors");
        Safetensors.write(file, Map.of("fc1.lora_A.weight", w), meta);
        byte[] written = Files.readAllBytes(file);
        Safetensors.Checkpoint read = Safetensors.read(file);
        float[] back = read.tensors().get("fc1.lora_A.weight").data();
        for (int i = 0; i < back.length; i++) assertEquals(Float.floatToRawIntBits(w.data()[i]), Float.floatToRawIntBits(back[i]), "value " + i);
        assertEquals(meta, read.metadata());
        assertArrayEquals(written, Safetensors.encode(read.tensors(), read.metadata()), "writing what was read gives the same bytes");
    }

    @Test
    void aTruncatedCheckpointSaysSo() throws Exception {
        Path file = dir.resolve("z.safetensors");
        Safetensors.write(file, Map.of("fc1.weight", Tensor.zeros(4, 3), "fc1.bias", Tensor.zeros(4)), Map.of());
        byte[] whole = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(whole, whole.length - 5));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.read(cut));
        assertTrue(e.getMessage().startsWith(cut + ": tensor 'fc1.weight'") && e.getMessage().contains("truncated"), e.getMessage());
        Files.write(cut, Arrays.copyOf(whole, 20)); // cut inside the header
        e = assertThrows(CheckpointException.class, () -> Safetensors.read(cut));
        assertTrue(e.getMessage().startsWith(cut + ": header length") && e.getMessage().contains("does not fit a file of 20 bytes"), e.getMessage());
    }

    @Test
    void headerIsPaddedToEightBytesAndOffsetsAreContiguous() throws Exception {
        byte[] bytes = Safetensors.encode(Map.of("a", Tensor.zeros(3), "b", Tensor.zeros(1, 2)), Map.of());
        long header = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, header % 8);
        assertEquals(8 + header + 5 * 4, bytes.length);
        String json = new String(bytes, 8, (int) header, StandardCharsets.UTF_8).trim();
        assertTrue(json.contains("\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}"), json);
    }

    static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h);
        return out.array();
    }

    @Test
    void rejectsBrokenFilesWithClearMessages() {
        assertMessage(new byte[3], "truncated");
        byte[] tooLong = file("{}", 0);
        ByteBuffer.wrap(tooLong).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1000);
        assertMessage(tooLong, "header length 1000 does not fit");
        assertMessage(file("{\"a\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}", 2), "dtype 'F16' is not supported");
        assertMessage(file("{\"a\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "tensor 'a': dtype 'Q4' is not supported, expected F32");
        assertMessage(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4), "needs 8 bytes");
        assertMessage(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[2,6]}}", 8), "overlap");
        assertMessage(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 2), "outside");
        assertMessage(file("not json", 0), "not valid JSON");
        assertThrows(CheckpointException.class, () -> Safetensors.read(dir.resolve("missing.safetensors")));
        assertThrows(CheckpointException.class, () -> Safetensors.read(dir));
    }

    private static void assertMessage(byte[] bytes, String expected) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.decode(bytes, "f.safetensors"));
        assertTrue(e.getMessage().startsWith("f.safetensors: ") && e.getMessage().contains(expected), e.getMessage());
    }
}
