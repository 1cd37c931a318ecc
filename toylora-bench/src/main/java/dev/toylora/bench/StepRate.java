package dev.toylora.bench;

import dev.toylora.api.Backends;
import dev.toylora.api.Batch;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.OptimizerSpec;
import dev.toylora.api.Trainer;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;

/**
 * Not JMH: a quick look at one engine's training steps per second, GFLOP/s and the bytes the calling thread allocates
 * per step (after warm-up) and the CPU time it spends (all of a step's when the engine runs on one thread: a figure that
 * a busy machine disturbs less than the wall time), for pretraining and LoRA r = 16 on fc1…fc4, batch 64.
 * {@code java -cp toylora-bench/target/benchmarks.jar dev.toylora.bench.StepRate openblas [seconds]}
 */
public final class StepRate {
    private StepRate() {}

    public static void main(String[] args) {
        String backend = args.length > 0 ? args[0] : "openblas";
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 5;
        NetworkSpec spec = NetworkSpec.mnistMlp();
        List<Batch> batches = TrainingStepBenchmark.randomBatches(spec, TrainingStepBenchmark.BATCH, 16);
        Network network = Backends.get(backend).create(spec, 1);
        System.out.println(backend + " " + Backends.get(backend).version());
        measure("pretrain (all weights)", network.trainer(OptimizerSpec.adam(1e-3), 2), batches, seconds,
                TrainingStepBenchmark.flopsPerStep(spec, TrainingStepBenchmark.BATCH, 0));
        network.attach(LoraSpec.of(TrainingStepBenchmark.RANK, 2 * TrainingStepBenchmark.RANK, List.of("fc1", "fc2", "fc3", "fc4")), 3);
        measure("LoRA r=16 on fc1..fc4", network.trainer(OptimizerSpec.adam(1e-3), 4), batches, seconds,
                TrainingStepBenchmark.flopsPerStep(spec, TrainingStepBenchmark.BATCH, TrainingStepBenchmark.RANK));
    }

    private static void measure(String what, Trainer trainer, List<Batch> batches, double seconds, double flopsPerStep) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        int step = 0;
        long warmupEnd = System.nanoTime() + (long) (seconds * 0.3e9);
        while (System.nanoTime() < warmupEnd) trainer.step(batches.get(step++ % batches.size()));
        long allocatedBefore = threads.getThreadAllocatedBytes(thread);
        long cpuBefore = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        int steps = 0;
        while (System.nanoTime() < end) {
            trainer.step(batches.get(step++ % batches.size()));
            steps++;
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        double cpu = (threads.getCurrentThreadCpuTime() - cpuBefore) / 1e9;
        long allocated = threads.getThreadAllocatedBytes(thread) - allocatedBefore;
        System.out.printf(Locale.ROOT, "%-24s %7.1f steps/s  %6.2f ms/step  %5.1f GFLOP/s  calling thread: %6.2f ms CPU/step, %d B allocated/step%n",
                what, steps / elapsed, 1e3 * elapsed / steps, flopsPerStep * steps / elapsed / 1e9, 1e3 * cpu / steps, allocated / steps);
    }
}
