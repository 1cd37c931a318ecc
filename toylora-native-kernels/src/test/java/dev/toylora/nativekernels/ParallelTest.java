package dev.toylora.nativekernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.api.Adapter;
import dev.toylora.api.Batch;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.OptimizerSpec;
import dev.toylora.api.Tensor;
import dev.toylora.api.Trainer;
import dev.toylora.tck.TestBatches;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The two halves of every kernel give the same results whichever threads run them. The shapes make every kernel split,
 * by rows (batches of 256 and more) and by columns (the 784 inputs, the 256-unit layer under the 64-unit one).
 */
class ParallelTest {
    private static final NetworkSpec SPEC = new NetworkSpec(784, List.of(256, 64), 10, 0.2);

    @AfterEach
    void parallelAgain() {
        Parallel.serialForTests(false);
    }

    @Test
    void onOneThreadTheResultsAreBitIdentical() {
        Map<String, Tensor> parallel = trainedAdapter();
        Parallel.serialForTests(true);
        Map<String, Tensor> serial = trainedAdapter();
        assertTrue(TestBatches.sameTensors(parallel, serial));
        Parallel.serialForTests(false);
        assertTrue(TestBatches.sameTensors(pretrained(), withSerial(this::pretrained)));
    }

    @Test
    void bothHalvesRunAndAFailureReachesTheCaller() {
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 1000; i++) Parallel.halves(half -> ran.incrementAndGet());
        assertEquals(2000, ran.get());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.halves(half -> {
            ran.incrementAndGet();
            if (half == 1) throw new IllegalStateException("second");
        }));
        assertEquals("second", e.getMessage());
        Parallel.halves(half -> ran.incrementAndGet());
        assertEquals(2004, ran.get(), "still usable after a failure");
    }

    /** Ops join a batch until one depends on it: then what is queued runs first, each half in queue order. */
    @Test
    void aBatchRunsWhatAnOpDependsOnFirst() {
        Object x = new Object();
        Object y = new Object();
        List<String> log = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        Parallel.Batch batch = new Parallel.Batch(2);
        batch.add(1, part -> log.add("write x " + part), Parallel.writesHalf(x));
        batch.add(1, part -> log.add("x to y " + part), Parallel.readsHalf(x), Parallel.writesHalf(y));
        assertTrue(log.isEmpty(), "within their halves, the two ops wait together");
        batch.add(1, part -> log.add("read y " + part), Parallel.reads(y), null);
        assertEquals(4, log.size(), "reading all of y ran the ops that write it, in halves: " + log);
        for (int half = 0; half < 2; half++) {
            assertTrue(log.indexOf("write x " + half) < log.indexOf("x to y " + half), log.toString());
        }
        batch.run();
        assertEquals("read y -1", log.get(4), "too little work to split: whole, on the calling thread");
        batch.run();
        assertEquals(5, log.size(), "a batch runs once");
    }

    private Map<String, Tensor> withSerial(java.util.function.Supplier<Map<String, Tensor>> run) {
        Parallel.serialForTests(true);
        try {
            return run.get();
        } finally {
            Parallel.serialForTests(false);
        }
    }

    private Map<String, Tensor> pretrained() {
        Network network = new ReferenceSgemm.Backend().create(SPEC, 1);
        Trainer trainer = network.trainer(OptimizerSpec.adam(1e-3), 2);
        for (int s = 0; s < 5; s++) trainer.step(TestBatches.random(s % 2 == 0 ? 512 : 511, 784, 10, s));
        return network.weights();
    }

    private Map<String, Tensor> trainedAdapter() {
        Network network = new ReferenceSgemm.Backend().create(SPEC, 1);
        Adapter adapter = network.attach(new LoraSpec(16, 32, List.of("fc1", "fc2", "fc3"), true, 0.1, false), 3);
        Trainer trainer = network.trainer(OptimizerSpec.adam(1e-3), 4);
        for (int s = 0; s < 5; s++) {
            Batch batch = TestBatches.random(256, 784, 10, 10 + s);
            trainer.step(batch);
        }
        return adapter.weights();
    }
}
