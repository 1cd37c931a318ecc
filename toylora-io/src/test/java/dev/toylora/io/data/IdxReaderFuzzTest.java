package dev.toylora.io.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the IDX reader with arbitrary bytes, raw or gzip-compressed (the seed corpus is in
 * {@code src/test/resources/dev/toylora/io/data/IdxReaderFuzzTestInputs/}). Whatever the bytes, the reader
 * either returns a dataset whose sizes agree with its header or throws a {@link DataException} naming the source;
 * any other exception or error (an index out of bounds, a negative array size, running out of memory) is a bug.
 * {@code mvn verify} fuzzes for a bounded time; see docs/robustness.md, "Fuzzing", for longer runs.
 */
class IdxReaderFuzzTest {
    static final String SOURCE = "fuzz-input.idx";

    @FuzzTest(maxDuration = "20s")
    void readsOrRefusesClearly(byte[] data) {
        try {
            IdxImages images = IdxReader.readImages(data, SOURCE);
            assertEquals((long) images.count() * images.rows() * images.cols(), images.pixels().length);
        } catch (DataException e) {
            assertTrue(e.getMessage().startsWith(SOURCE) || e.getMessage().startsWith("cannot read " + SOURCE), e.getMessage());
        }
        try {
            IdxLabels labels = IdxReader.readLabels(data, SOURCE);
            assertEquals(labels.count(), labels.labels().length);
        } catch (DataException e) {
            assertTrue(e.getMessage().startsWith(SOURCE) || e.getMessage().startsWith("cannot read " + SOURCE), e.getMessage());
        }
    }
}
