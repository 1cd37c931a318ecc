package dev.toylora.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.toylora.api.Adapter;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.OptimizerSpec;
import dev.toylora.api.Tensor;
import dev.toylora.api.Trainer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The counts the README quotes, and that gradients are formed for exactly what trains. */
public abstract class ParameterCountContract extends ContractTopic {
    private static final NetworkSpec MNIST = NetworkSpec.mnistMlp();
    /** in, out of fc1 … fc4. */
    private static final Map<String, int[]> SHAPES = Map.of("fc1", new int[] {784, 512}, "fc2", new int[] {512, 256},
            "fc3", new int[] {256, 128}, "fc4", new int[] {128, 10});

    protected ParameterCountContract(EngineContract engine) {
        super(engine);
    }

    @Test
    void theBaseNetworkHas567434Parameters() {
        Network network = backend().create(MNIST, 1);
        assertEquals(567_434, network.parameterCount());
        assertEquals(567_434, network.trainableParameterCount());
        assertEquals(567_434, network.weights().values().stream().mapToLong(Tensor::size).sum());
    }

    @Test
    void rank16OnEveryLayerTrains41376() {
        Network network = backend().create(MNIST, 1);
        Adapter adapter = network.attach(LoraSpec.of(16, 32, List.of("fc1", "fc2", "fc3", "fc4")), 2);
        assertEquals(41_376, network.trainableParameterCount());
        assertEquals(41_376, adapter.trainableParameters());
        assertEquals(567_434, network.parameterCount(), "the base count does not change");
        network.detach();
        assertEquals(567_434, network.trainableParameterCount());
    }

    static List<Arguments> adapters() {
        return List.of(
                Arguments.of(1, List.of("fc1"), false),
                Arguments.of(4, List.of("fc2", "fc3"), true),
                Arguments.of(8, List.of("fc4", "fc1"), true),
                Arguments.of(10, List.of("fc1", "fc2", "fc3", "fc4"), false),
                Arguments.of(64, List.of("fc1", "fc2", "fc3"), true));
    }

    @ParameterizedTest
    @MethodSource("dev.toylora.tck.ParameterCountContract#adapters")
    void trainableIsRankTimesInPlusOutPerLayerPlusBiases(int rank, List<String> targets, boolean trainBias) {
        long expected = 0;
        for (String target : targets) {
            int[] shape = SHAPES.get(target);
            expected += (long) rank * (shape[0] + shape[1]) + (trainBias ? shape[1] : 0);
        }
        Network network = backend().create(MNIST, 1);
        Adapter adapter = network.attach(new LoraSpec(rank, 2.0 * rank, targets, trainBias, 0.0, false), 2);
        assertEquals(expected, network.trainableParameterCount());
        assertEquals(expected, adapter.weights().values().stream().mapToLong(Tensor::size).sum(), "the adapter's tensors");
        Trainer trainer = network.trainer(OptimizerSpec.adam(1e-3), 3);
        long withGradients = introspection().gradients(trainer, TestBatches.random(4, 784, 10, 4)).values().stream().mapToLong(g -> g.length).sum();
        assertEquals(expected, withGradients, "what the trainer computes gradients for");
    }
}
