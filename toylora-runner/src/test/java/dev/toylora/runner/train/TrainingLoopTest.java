package dev.toylora.runner.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.toylora.api.Batch;
import dev.toylora.api.Trainer;
import dev.toylora.io.data.Dataset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TrainingLoopTest {

    static Dataset rows(int n) {
        float[] features = new float[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            features[i] = i;
            labels[i] = i % 10;
        }
        return new Dataset("rows", features, labels, n, 1);
    }

    static TrainingLoop.EpochEvaluation fixed() {
        return new TrainingLoop.EpochEvaluation() {
            public String split() {
                return "test";
            }

            public double[] overallOldNew() {
                return new double[] {1, 2, 3};
            }
        };
    }

    /** A trainer that records which rows each step saw. */
    static final class Recording implements Trainer {
        final List<List<Integer>> batches = new ArrayList<>();
        final List<Double> rates = new ArrayList<>();
        double rate;

        public double step(Batch batch) {
            List<Integer> seen = new ArrayList<>();
            for (int r = 0; r < batch.rows(); r++) seen.add((int) batch.features()[r]);
            batches.add(seen);
            rates.add(rate);
            return 1.0;
        }

        public void learningRate(double learningRate) {
            rate = learningRate;
        }

        public double learningRate() {
            return rate;
        }

        public long steps() {
            return batches.size();
        }
    }

    @Test
    void everyRowOncePerEpochInASeededOrderWithAShortLastBatch() {
        Recording a = new Recording(), b = new Recording();
        var settings = new TrainingLoop.Settings("pretrain", 2, 4, LearningRateSchedule.Kind.CONSTANT, 0.1, 0, 99);
        List<EpochResult> history = new TrainingLoop(TrainingListener.NONE).run(a, rows(10), settings, TrainingLoopTest::fixed);
        new TrainingLoop(TrainingListener.NONE).run(b, rows(10), settings, TrainingLoopTest::fixed);
        assertEquals(6, a.batches.size(), "3 batches (4, 4, 2) per epoch");
        assertEquals(2, a.batches.get(2).size());
        for (int epoch = 0; epoch < 2; epoch++) {
            List<Integer> seen = new ArrayList<>();
            for (int k = 0; k < 3; k++) seen.addAll(a.batches.get(3 * epoch + k));
            assertEquals(10, seen.stream().distinct().count(), "epoch " + epoch + " sees each row once");
        }
        assertEquals(a.batches, b.batches, "the order depends only on the seed");
        assertTrue(!a.batches.subList(0, 3).equals(a.batches.subList(3, 6)), "each epoch reshuffles");
        assertEquals(2, history.size());
        assertEquals(1.0, history.get(0).loss(), 1e-12);
    }

    @Test
    void cosineScheduleWithWarmup() {
        var s = new LearningRateSchedule("cosine", 1.0, 10, 110);
        assertEquals(0.1, s.at(0), 1e-12);
        assertEquals(1.0, s.at(9), 1e-12);
        assertEquals(1.0, s.at(10), 1e-12);
        assertEquals(0.5, s.at(60), 1e-12);
        assertEquals(0.0, s.at(110), 1e-12);
        assertEquals(0.3, new LearningRateSchedule("constant", 0.3, 0, 100).at(57), 0);
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.Kind.of("linear"));
    }

    @Test
    void aNanLossStopsAtThatStepNamingStageEpochAndStep() {
        Trainer trainer = mock(Trainer.class);
        when(trainer.step(any())).thenReturn(2.0, 1.5, Double.NaN, 1.0);
        var settings = new TrainingLoop.Settings("finetune", 3, 4, LearningRateSchedule.Kind.CONSTANT, 0.5, 0, 1);
        DivergenceException e = assertThrows(DivergenceException.class,
                () -> new TrainingLoop(TrainingListener.NONE).run(trainer, rows(10), settings, TrainingLoopTest::fixed));
        assertTrue(e.getMessage().contains("'finetune'") && e.getMessage().contains("epoch 1") && e.getMessage().contains("step 3"), e.getMessage());
        assertTrue(e.getMessage().contains("lower learning rate"), e.getMessage());
        verify(trainer, times(3)).step(any());
    }

    @Test
    void shuffleIsAPermutation() {
        int[] order = {0, 1, 2, 3, 4, 5, 6, 7};
        TrainingLoop.shuffle(order, new SplittableRandom(5));
        assertEquals(28, java.util.Arrays.stream(order).sum());
        assertEquals(8, java.util.Arrays.stream(order).distinct().count());
    }

    @Test
    void accuracyGroupsCountExamplesNotClassMeans() {
        ClassAccuracy a = new ClassAccuracy(new int[] {9, 1, 0}, new int[] {10, 10, 0});
        assertEquals(50.0, a.overall(), 1e-12);
        assertEquals(90.0, a.of(0), 1e-12);
        assertTrue(Double.isNaN(a.of(2)));
        assertEquals(50.0, a.group(List.of(0, 1)), 1e-12);
    }
}
