package dev.toylora.runner.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.io.data.Dataset;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplayAndValidationTest {

    /** 10 classes, class c has 100 + 10·c rows, in a shuffled-looking order. */
    static Dataset synthetic() {
        int rows = 0;
        for (int c = 0; c < 10; c++) rows += 100 + 10 * c;
        int[] labels = new int[rows];
        int i = 0;
        for (int c = 0; c < 10; c++) for (int k = 0; k < 100 + 10 * c; k++) labels[i++] = c;
        // interleave deterministically so classes are not in blocks
        int[] mixed = new int[rows];
        for (int r = 0; r < rows; r++) mixed[r] = labels[(int) ((r * 7919L) % rows)];
        float[] features = new float[rows * 2];
        for (int r = 0; r < rows; r++) features[2 * r] = r;
        return new Dataset("synthetic", features, mixed, rows, 2);
    }

    @Test
    void replayDrawsTheStatedNumberOnlyFromAllowedClassesBalancedAndDeterministic() {
        Dataset data = synthetic();
        List<Integer> old = List.of(0, 1, 2, 3, 4, 5, 6, 7);
        int[] pool = data.rowsOfClasses(old);
        int[] first = ReplaySampler.sample(data, pool, old, 795, 42);
        int[] again = ReplaySampler.sample(data, pool, old, 795, 42);
        int[] other = ReplaySampler.sample(data, pool, old, 795, 43);
        assertEquals(795, first.length);
        assertArrayEquals(first, again, "same seed, same draw");
        assertFalse(Arrays.equals(first, other), "another seed, another draw");
        int[] perClass = new int[10];
        for (int r : first) perClass[data.label(r)]++;
        for (int c = 0; c < 8; c++) assertTrue(perClass[c] == 99 || perClass[c] == 100, "class " + c + " got " + perClass[c]);
        assertEquals(0, perClass[8] + perClass[9], "never replays a class it was not asked for");
        assertEquals(795, new HashSet<>(Arrays.stream(first).boxed().toList()).size(), "no repeats while a class has unused rows");
    }

    @Test
    void replayOfASubsetOfClassesAndMoreThanThereAre() {
        Dataset data = synthetic();
        int[] pool = data.rowsOfClasses(List.of(0, 1, 2, 3, 4, 5, 6, 7));
        int[] drawn = ReplaySampler.sample(data, pool, List.of(3), 250, 1);
        assertEquals(250, drawn.length);
        for (int r : drawn) assertEquals(3, data.label(r));
        // class 3 has 130 rows: every one appears before any repeats
        assertEquals(130, new HashSet<>(Arrays.stream(drawn).boxed().toList()).size());
        assertEquals(0, ReplaySampler.sample(data, pool, List.of(3), 0, 1).length);
    }

    @Test
    void validationNeverOverlapsTrainingAndIsStratified() {
        Dataset data = synthetic();
        ValidationSplit split = ValidationSplit.of(data, 145, 7);
        assertEquals(145, split.validationRows().length);
        assertEquals(data.rows() - 145, split.trainRows().length);
        Set<Integer> train = new HashSet<>(Arrays.stream(split.trainRows()).boxed().toList());
        for (int r : split.validationRows()) assertFalse(train.contains(r), "row " + r + " is in both");
        int[] perClass = new int[10];
        for (int r : split.validationRows()) perClass[data.label(r)]++;
        for (int c = 0; c < 10; c++) {
            double expected = 145.0 * (100 + 10 * c) / data.rows();
            assertTrue(Math.abs(perClass[c] - expected) <= 1, "class " + c + ": " + perClass[c] + " vs " + expected);
        }
        assertArrayEquals(split.validationRows(), ValidationSplit.of(data, 145, 7).validationRows());
        assertEquals(0, ValidationSplit.of(data, 0, 7).validationRows().length);
    }

    @Test
    void seedsDifferByPurposeAndAreStable() {
        assertEquals(Seeds.derive(42, "a"), Seeds.derive(42, "a"));
        assertTrue(Seeds.derive(42, "a") != Seeds.derive(42, "b"));
        assertTrue(Seeds.derive(42, "a") != Seeds.derive(43, "a"));
    }
}
