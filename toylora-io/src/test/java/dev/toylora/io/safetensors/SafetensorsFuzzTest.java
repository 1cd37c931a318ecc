package dev.toylora.io.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.toylora.api.Tensor;

/**
 * Fuzzes the safetensors reader with arbitrary bytes (seed corpus in
 * {@code src/test/resources/dev/toylora/io/safetensors/SafetensorsFuzzTestInputs/}). It either decodes a
 * checkpoint that survives a round trip through the writer, or throws a {@link CheckpointException} naming the
 * source; anything else — an index out of bounds, a negative array size, running out of memory, an exception of
 * the JSON library leaking out — is a bug.
 */
class SafetensorsFuzzTest {
    static final String SOURCE = "fuzz-input.safetensors";

    @FuzzTest(maxDuration = "20s")
    void decodesOrRefusesClearly(byte[] data) {
        Safetensors.Checkpoint checkpoint;
        try {
            checkpoint = Safetensors.decode(data, SOURCE);
        } catch (CheckpointException e) {
            assertTrue(e.getMessage().startsWith(SOURCE + ": "), e.getMessage());
            return;
        }
        Safetensors.Checkpoint again = Safetensors.decode(Safetensors.encode(checkpoint.tensors(), checkpoint.metadata()), SOURCE);
        assertEquals(checkpoint.metadata(), again.metadata());
        assertEquals(checkpoint.tensors().keySet(), again.tensors().keySet());
        for (var e : checkpoint.tensors().entrySet()) {
            Tensor back = again.tensors().get(e.getKey());
            assertTrue(e.getValue().sameAs(back), e.getKey());
        }
    }
}
