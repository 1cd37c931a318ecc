package dev.toylora.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The builders, withers and helpers that make the value types pleasant from Java and Kotlin. */
class ValuesTest {

    @Test
    void theLoraBuilderGivesWhatTheConstructorGives() {
        LoraSpec built = LoraSpec.builder().rank(8).alpha(16).targets("fc1", "fc2").trainBias(true).dropout(0.05).build();
        assertEquals(new LoraSpec(8, 16.0, List.of("fc1", "fc2"), true, 0.05, false), built);
        assertEquals(2.0, LoraSpec.builder().rank(4).targets("fc1").build().scaling(), "alpha defaults to 2·rank");
        assertEquals(LoraSpec.of(8, 16.0, List.of("fc1")), LoraSpec.of(8, 16, List.of("fc1")), "an int alpha means the same");
        assertThrows(IllegalArgumentException.class, () -> LoraSpec.builder().rank(4).build(), "targets are required");
    }

    @Test
    void optimizerWithersChangeOneThing() {
        OptimizerSpec adamW = OptimizerSpec.adamW(1e-3, 0.01);
        assertEquals(new OptimizerSpec(1e-3, 0.9, 0.999, 1e-8, 0.01), adamW);
        assertEquals(new OptimizerSpec(2e-3, 0.8, 0.99, 1e-6, 0.01), adamW.withLearningRate(2e-3).withBetas(0.8, 0.99).withEpsilon(1e-6));
        assertThrows(IllegalArgumentException.class, () -> adamW.withWeightDecay(-1));
    }

    @Test
    void argmaxAccuracyAndStandardisation() {
        float[] logits = {0, 2, 1, 5, 5, -1};
        assertArrayEquals(new int[] {1, 0}, Predictions.argmax(logits, 2, 3), "ties go to the first");
        assertEquals(0.5, Predictions.accuracy(new int[] {1, 0}, new int[] {1, 2}, 2));
        float[] standardised = Pixels.standardise(new byte[] {0, (byte) 255}, Pixels.MNIST_MEAN, Pixels.MNIST_STD);
        assertEquals((0 - 0.1307f) / 0.3081f, standardised[0]);
        assertEquals((1 - 0.1307f) / 0.3081f, standardised[1]);
        Batch unlabelled = Batch.unlabelled(new float[6], 2, 3);
        assertFalse(unlabelled.labelled());
    }
}
