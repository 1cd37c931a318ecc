package dev.toylora.bench;

import dev.toylora.api.Backends;
import dev.toylora.api.Batch;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.OptimizerSpec;
import dev.toylora.api.Trainer;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One training step (forward, loss, backward, Adam) on the seed's network, 784 → 512 → 256 → 128 → 10 with dropout
 * 0.2, batch 64 of random data, per engine: {@code pretrain} trains every weight, {@code lora} trains LoRA r = 16 on
 * fc1…fc4 over a frozen base. The score is steps/s; the {@code gflops} counter is the rate of the matrix products'
 * floating-point operations (2·m·n·k per product, counted as {@link #flopsPerStep} does), in GFLOP/s.
 *
 * <pre>
 * mvn -Pbench -DskipTests package -pl toylora-bench -am
 * java -jar toylora-bench/target/benchmarks.jar TrainingStep                        # full run: 3 forks × 5 × 2 s
 * java -jar toylora-bench/target/benchmarks.jar TrainingStep -f 1 -wi 1 -i 2 -w 1s -r 1s   # a quick look
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 3, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TrainingStepBenchmark {
    static final int BATCH = 64;
    static final int RANK = 16;

    @Param({"ojalgo", "openblas"})
    public String backend;

    @Param({"pretrain", "lora"})
    public String mode;

    private Trainer trainer;
    private List<Batch> batches;
    private int next;
    private double flops;

    @Setup(Level.Trial)
    public void setUp() {
        NetworkSpec spec = NetworkSpec.mnistMlp();
        Network network = Backends.get(backend).create(spec, 1);
        if (mode.equals("lora")) network.attach(LoraSpec.of(RANK, 2 * RANK, List.of("fc1", "fc2", "fc3", "fc4")), 2);
        trainer = network.trainer(OptimizerSpec.adam(1e-3), 3);
        batches = randomBatches(spec, BATCH, 16);
        flops = flopsPerStep(spec, BATCH, mode.equals("lora") ? RANK : 0);
    }

    /** Per-step counters JMH reports as rates. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rates {
        /** Matrix-product GFLOPs done: reported per second, i.e. GFLOP/s. */
        public double gflops;
    }

    @Benchmark
    public double step(Rates rates) {
        double loss = trainer.step(batches.get(next));
        next = (next + 1) % batches.size();
        rates.gflops += flops / 1e9;
        return loss;
    }

    /**
     * FLOPs of the matrix products of one step, 2·rows·in·out per [in × out] product: the forward products; with
     * {@code rank} 0 (pretraining) every weight gradient and every input gradient but fc1's; with LoRA, the input
     * gradients but fc1's and the low-rank products (u = x·Aᵀ, dA; v = u·Bᵀ, dB, du; du·A above fc1).
     */
    static double flopsPerStep(NetworkSpec spec, int rows, int rank) {
        double forward = 0, weightGradients = 0, inputGradients = 0, lowRank = 0;
        for (NetworkSpec.LayerShape shape : spec.layerShapes()) {
            double product = 2.0 * rows * shape.inputs() * shape.outputs();
            boolean first = shape.name().equals("fc1");
            forward += product;
            weightGradients += product;
            if (!first) inputGradients += product;
            lowRank += 2.0 * rows * rank * (2 * shape.inputs() + 3 * shape.outputs() + (first ? 0 : shape.inputs()));
        }
        return rank == 0 ? forward + weightGradients + inputGradients : forward + inputGradients + lowRank;
    }

    static List<Batch> randomBatches(NetworkSpec spec, int batchSize, int count) {
        SplittableRandom random = new SplittableRandom(5);
        Batch[] batches = new Batch[count];
        for (int b = 0; b < count; b++) {
            float[] features = new float[batchSize * spec.inputs()];
            int[] labels = new int[batchSize];
            for (int i = 0; i < features.length; i++) features[i] = (float) random.nextDouble();
            for (int i = 0; i < batchSize; i++) labels[i] = random.nextInt(spec.outputs());
            batches[b] = new Batch(features, labels, batchSize, spec.inputs());
        }
        return List.of(batches);
    }
}
