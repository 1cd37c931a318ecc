package dev.toylora.engine.openblas;

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

/** The two halves of a step give the same results whichever threads run them. */
class ParallelTest {
    private static final NetworkSpec SPEC = new NetworkSpec(784, List.of(64, 32), 10, 0.2);

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
    void bothTasksRunAndAFailureReachesTheCaller() {
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 1000; i++) Parallel.both(ran::incrementAndGet, ran::incrementAndGet);
        assertEquals(2000, ran.get());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Parallel.both(ran::incrementAndGet, () -> { throw new IllegalStateException("second"); }));
        assertEquals("second", e.getMessage());
        Parallel.both(ran::incrementAndGet, ran::incrementAndGet);
        assertEquals(2003, ran.get(), "still usable after a failure");
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
        Network network = new OpenBlasBackend().create(SPEC, 1);
        Trainer trainer = network.trainer(OptimizerSpec.adam(1e-3), 2);
        for (int s = 0; s < 5; s++) trainer.step(TestBatches.random(33, 784, 10, s));
        return network.weights();
    }

    private Map<String, Tensor> trainedAdapter() {
        Network network = new OpenBlasBackend().create(SPEC, 1);
        Adapter adapter = network.attach(new LoraSpec(4, 8, List.of("fc1", "fc3"), true, 0.1, false), 3);
        Trainer trainer = network.trainer(OptimizerSpec.adam(1e-3), 4);
        for (int s = 0; s < 5; s++) {
            Batch batch = TestBatches.random(32, 784, 10, 10 + s);
            trainer.step(batch);
        }
        return adapter.weights();
    }
}
