package dev.toylora.tck;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.api.Adapter;
import dev.toylora.api.Backend;
import dev.toylora.api.Batch;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.OptimizerSpec;
import dev.toylora.api.Tensor;
import dev.toylora.api.Trainer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The same seeds give the same weights, bit for bit; other seeds give others. */
public abstract class DeterminismContract extends ContractTopic {
    private static final NetworkSpec SPEC = new NetworkSpec(784, List.of(64, 32), 10, 0.2);
    private static final List<Batch> BATCHES = List.of(TestBatches.random(32, 784, 10, 1), TestBatches.random(32, 784, 10, 2),
            TestBatches.random(17, 784, 10, 3));

    protected DeterminismContract(EngineContract engine) {
        super(engine);
    }

    @Test
    void sameSeedsSameWeightsAfterTraining() {
        assertTrue(TestBatches.sameTensors(pretrained(1, 2), pretrained(1, 2)));
    }

    @Test
    void anotherTrainerSeedDrawsOtherDropoutMasks() {
        assertFalse(TestBatches.sameTensors(pretrained(1, 2), pretrained(1, 3)));
    }

    @Test
    void anotherNetworkSeedInitialisesOtherWeights() {
        Backend backend = backend();
        assertTrue(TestBatches.sameTensors(backend.create(SPEC, 5).weights(), backend.create(SPEC, 5).weights()));
        assertFalse(TestBatches.sameTensors(backend.create(SPEC, 5).weights(), backend.create(SPEC, 6).weights()));
    }

    @Test
    void sameSeedsSameAdapterAfterTraining() {
        assertTrue(TestBatches.sameTensors(adapted(4, 5), adapted(4, 5)));
        assertFalse(TestBatches.sameTensors(adapted(4, 5), adapted(6, 5)), "the attach seed draws A");
    }

    private Map<String, Tensor> pretrained(long networkSeed, long trainerSeed) {
        Network network = backend().create(SPEC, networkSeed);
        train(network.trainer(OptimizerSpec.adam(1e-3), trainerSeed), 10);
        return network.weights();
    }

    private Map<String, Tensor> adapted(long attachSeed, long trainerSeed) {
        Network network = backend().create(SPEC, 1);
        Adapter adapter = network.attach(new LoraSpec(4, 8, List.of("fc1", "fc3"), true, 0.1, false), attachSeed);
        train(network.trainer(OptimizerSpec.adam(1e-3), trainerSeed), 10);
        return adapter.weights();
    }

    private static void train(Trainer trainer, int steps) {
        for (int s = 0; s < steps; s++) trainer.step(BATCHES.get(s % BATCHES.size()));
    }
}
