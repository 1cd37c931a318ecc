package dev.toylora.engine.ojalgo;

import dev.toylora.api.Batch;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.OptimizerSpec;
import dev.toylora.api.Trainer;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Not a test (no timed assertions anywhere): prints training steps per second on the MNIST-shaped MLP
 * with random data, for full training and for LoRA r=16 on fc1…fc4, the FLOP rate of the matrix
 * products (counted dense: products skip zero multipliers, and random data has few), and the bytes the calling thread
 * allocates per step (after warm-up: only the fork/join task objects of the products and transposes split among
 * threads). Run after {@code mvn test-compile} with the module's test class path:
 * {@code java -cp test-classes:classes:<toylora-api and toylora-model classes, ojalgo and jspecify jars> dev.toylora.engine.ojalgo.StepBenchmark [batch] [seconds]}.
 */
public final class StepBenchmark {
    private StepBenchmark() {}

    public static void main(String[] args) {
        int batchSize = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 10;
        NetworkSpec spec = NetworkSpec.mnistMlp();
        List<Batch> batches = randomBatches(spec, batchSize, 32);
        int r = 16;
        // FLOPs of the matrix products per step: 2·rows·in·out for each product with a layer's weight.
        double forward = 0, weightGradients = 0, inputGradients = 0, lowRank = 0;
        for (NetworkSpec.LayerShape shape : spec.layerShapes()) {
            double product = 2.0 * batchSize * shape.inputs() * shape.outputs();
            forward += product;
            weightGradients += product;
            boolean first = shape.name().equals("fc1");
            if (!first) inputGradients += product;
            // u = x·Aᵀ and dA; v = u·Bᵀ, dB and du; du·A above fc1.
            lowRank += 2.0 * batchSize * r * (2 * shape.inputs() + 3 * shape.outputs() + (first ? 0 : shape.inputs()));
        }

        Network network = new OjAlgoBackend().create(spec, 1);
        Trainer full = network.trainer(OptimizerSpec.adam(1e-3), 2);
        measure("pretrain (all weights)", full, batches, seconds, forward + weightGradients + inputGradients);

        network.attach(LoraSpec.of(r, 2 * r, List.of("fc1", "fc2", "fc3", "fc4")), 3);
        Trainer lora = network.trainer(OptimizerSpec.adam(1e-3), 4);
        measure("LoRA r=16 on fc1..fc4", lora, batches, seconds, forward + inputGradients + lowRank);
    }

    private static void measure(String what, Trainer trainer, List<Batch> batches, double seconds, double flopsPerStep) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        int step = 0;
        long warmupEnd = System.nanoTime() + (long) (seconds * 0.3e9);
        while (System.nanoTime() < warmupEnd) trainer.step(batches.get(step++ % batches.size()));
        long allocatedBefore = threads.getThreadAllocatedBytes(thread);
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        int steps = 0;
        double loss = 0;
        while (System.nanoTime() < end) {
            loss = trainer.step(batches.get(step++ % batches.size()));
            steps++;
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long allocated = threads.getThreadAllocatedBytes(thread) - allocatedBefore;
        System.out.printf("%-24s %7.1f steps/s  %6.2f ms/step  %5.2f GFLOP/s (all products)  %6d B allocated/step (calling thread)  loss %.4f%n",
                what, steps / elapsed, 1e3 * elapsed / steps, flopsPerStep * steps / elapsed / 1e9, allocated / steps, loss);
    }

    private static List<Batch> randomBatches(NetworkSpec spec, int batchSize, int count) {
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
