package dev.toylora.bench.peers;

import static dev.toylora.bench.peers.Report.f;
import static dev.toylora.bench.peers.Report.log;
import static dev.toylora.bench.peers.Report.out;
import static dev.toylora.bench.peers.Report.token;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.PairList;
import java.lang.reflect.Method;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * experiments/lora-r16.yaml in DJL 0.36 on its PyTorch engine (libtorch 2.7.1, CPU), written as DJL's own examples
 * write a training loop: a {@link SequentialBlock} of {@link Linear}, ReLU and {@link Dropout} blocks, a {@link Trainer}
 * with softmax cross-entropy and Adam (1e-3; betas 0.9/0.999, eps 1e-8, DJL's defaults), an {@link ArrayDataset}
 * shuffled each epoch in batches of 64 (last batch partial). Pretraining on 0-7, then LoRA r=16, alpha=32 on
 * fc1..fc4 ({@link LoraLinear}: a custom block, the DJL way to add a layer; W frozen with {@link Parameter#freeze},
 * biases trained) on 8-9 plus 3x balanced replay of 0-7, fresh Adam with the rate decaying (cosine) to 0 at the
 * last step. Each stage evaluates the 10,000 test images after every epoch, as the runner does.
 *
 * <p>Offline: the native libtorch comes from the pytorch-native-cpu jar on the class path and the JNI glue from
 * pytorch-jni's; {@code ai.djl.offline=true} is set before DJL starts, so a missing piece fails instead of
 * downloading. Threads: {@code --threads N} sets {@code ai.djl.pytorch.num_threads} (torch.set_num_threads) and one
 * inter-op thread. {@code --probe} prints what loaded and a quick product rate, and trains nothing.
 *
 * <p>Output: {@link Report}'s key=value lines, plus {@code peer name=djl ...}.
 */
public final class DjlMnistMlp {

    private DjlMnistMlp() {}

    public static void main(String[] args) throws Exception {
        Options o = Options.parse("DjlMnistMlp", args);
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(o.threads()));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        System.setProperty("ai.djl.pytorch.graph_optimizer", "false");  // no TorchScript here: only quiets a log line
        Engine engine = Engine.getEngine("PyTorch");
        engine.setRandomSeed((int) o.seed());
        String peer = describe(engine);
        if (o.probe()) {
            probe(engine, peer);
            return;
        }

        long loadStart = System.nanoTime();
        Mnist data = Mnist.load(o.data());
        log(f("loaded MNIST in %.1f s", (System.nanoTime() - loadStart) / 1e9));

        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray trainX = manager.create(FloatBuffer.wrap(data.trainImages()), new Shape(data.trainCount(), Mnist.PIXELS));
            NDArray trainY = manager.create(toFloats(data.trainLabels()));

            // Pretraining on 0-7.
            long started = System.nanoTime();
            int[] oldRows = Experiment.pretrainRows(data);
            SequentialBlock net = new SequentialBlock();
            List<Linear> layers = new ArrayList<>();
            for (int i = 1; i < Experiment.LAYERS.length; i++) {
                Linear layer = Linear.builder().setUnits(Experiment.LAYERS[i]).build();
                layers.add(layer);
                net.add(layer);
                if (i < Experiment.LAYERS.length - 1) {
                    net.add(Activation.reluBlock());
                    net.add(Dropout.builder().optRate(Experiment.DROPOUT).build());
                }
            }
            try (Model model = Model.newInstance("mlp", Device.cpu(), "PyTorch")) {
                model.setBlock(net);
                DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                        .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(Experiment.LEARNING_RATE)).build())
                        .optDevices(new Device[] {Device.cpu()});
                double[] base;
                try (Trainer trainer = model.newTrainer(config)) {
                    trainer.initialize(new Shape(Experiment.BATCH, Mnist.PIXELS));
                    Stage s = train("pretrain", trainer, manager, trainX, trainY, oldRows, o.pretrainEpochs(), data);
                    double seconds = (System.nanoTime() - started) / 1e9;
                    Report.stage("pretrain", seconds, s.trainSeconds, oldRows.length, o.pretrainEpochs(), s.steps, "");
                    base = s.accuracy;
                }
                Report.accuracy("base", base);

                if (o.finetune()) {
                    // LoRA on fc1..fc4: each Linear wrapped, its weight frozen; a fresh model, trainer and Adam.
                    started = System.nanoTime();
                    int[] rows = Experiment.finetuneRows(data, o.seed());
                    SequentialBlock lora = new SequentialBlock();
                    List<LoraLinear> adapted = new ArrayList<>();
                    for (int i = 0; i < layers.size(); i++) {
                        LoraLinear l = new LoraLinear(layers.get(i), Experiment.LAYERS[i], Experiment.LAYERS[i + 1],
                                Experiment.RANK, Experiment.ALPHA / Experiment.RANK);
                        adapted.add(l);
                        lora.add(l);
                        if (i < layers.size() - 1) {
                            lora.add(Activation.reluBlock());
                            lora.add(Dropout.builder().optRate(Experiment.DROPOUT).build());
                        }
                    }
                    int steps = o.finetuneEpochs() * ((rows.length + Experiment.BATCH - 1) / Experiment.BATCH);
                    try (Model loraModel = Model.newInstance("mlp-lora", Device.cpu(), "PyTorch")) {
                        loraModel.setBlock(lora);
                        DefaultTrainingConfig loraConfig = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                                .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.cosine()
                                        .setBaseValue(Experiment.LEARNING_RATE).optFinalValue(0f).setMaxUpdates(steps).build()).build())
                                .optDevices(new Device[] {Device.cpu()});
                        try (Trainer trainer = loraModel.newTrainer(loraConfig)) {
                            trainer.initialize(new Shape(Experiment.BATCH, Mnist.PIXELS));
                            long trainable = 0;
                            for (var p : lora.getParameters()) {
                                if (p.getValue().requiresGradient()) trainable += p.getValue().getArray().size();
                            }
                            Stage s = train("finetune", trainer, manager, trainX, trainY, rows, o.finetuneEpochs(), data);
                            double seconds = (System.nanoTime() - started) / 1e9;
                            int fresh = Experiment.newImages(data);
                            Report.stage("finetune", seconds, s.trainSeconds, rows.length, o.finetuneEpochs(), s.steps,
                                    f("new=%d replayed=%d trainable=%d", fresh, rows.length - fresh, trainable));
                            Report.accuracy("adapted", s.accuracy);
                        }
                    }
                }
            }
        }
        out(peer);
    }

    /** One stage's epochs; returns its training seconds (steps only), steps, and the last epoch's test accuracies. */
    private static Stage train(String stage, Trainer trainer, NDManager manager, NDArray trainX, NDArray trainY, int[] rows,
                               int epochs, Mnist data) throws Exception {
        NDArray index = manager.create(toLongs(rows));
        ArrayDataset dataset = new ArrayDataset.Builder()
                .setData(trainX.get(index))
                .optLabels(trainY.get(index))
                .setSampling(Experiment.BATCH, true)
                .build();
        Stage result = new Stage();
        for (int epoch = 1; epoch <= epochs; epoch++) {
            long start = System.nanoTime();
            double lossSum = 0;
            for (Batch batch : trainer.iterateDataset(dataset)) {
                try (GradientCollector collector = trainer.newGradientCollector()) {
                    NDList predictions = trainer.forward(batch.getData());
                    NDArray loss = trainer.getLoss().evaluate(batch.getLabels(), predictions);
                    collector.backward(loss);
                    lossSum += loss.getFloat() * batch.getSize();
                }
                trainer.step();
                batch.close();
                result.steps++;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            result.trainSeconds += seconds;
            result.accuracy = evaluate(trainer, data);
            Report.epoch(stage, epoch, epochs, lossSum / rows.length, result.accuracy, rows.length, seconds);
        }
        return result;
    }

    /** Percent correct (overall, 0-7, 8-9) on the test set, in batches of 1000 (the runner's evaluator). */
    private static double[] evaluate(Trainer trainer, Mnist data) {
        int n = data.testCount();
        int[] predicted = new int[n];
        for (int from = 0; from < n; from += 1000) {
            int count = Math.min(1000, n - from);
            try (NDManager scope = trainer.getManager().newSubManager()) {
                NDArray x = scope.create(FloatBuffer.wrap(data.testImages(), from * Mnist.PIXELS, count * Mnist.PIXELS),
                        new Shape(count, Mnist.PIXELS));
                long[] classes = trainer.evaluate(new NDList(x)).singletonOrThrow().argMax(1).toLongArray();
                for (int i = 0; i < count; i++) predicted[from + i] = (int) classes[i];
            }
        }
        return Experiment.accuracy(predicted, data.testLabels());
    }

    private static final class Stage {
        double trainSeconds;
        long steps;
        double[] accuracy;
    }

    /**
     * y = x W^T + b + s (x A) B around a pretrained {@link Linear} whose weight is frozen (its bias trains): A (in x r)
     * ~ U(-1/sqrt(in), 1/sqrt(in)), B (r x out) = 0, as bench/pytorch_lora.py and the engines initialise them.
     */
    static final class LoraLinear extends AbstractBlock {
        private final Linear base;
        private final Parameter a;
        private final Parameter b;
        private final float scale;
        /**
         * s as a tensor that lives as long as the model. Not {@code mul(float)}: DJL makes that scalar a tensor over a
         * direct ByteBuffer (torch::from_blob, no copy) and closes it right after the product, but autograd keeps it
         * for the backward pass (d(s u)/du = s), so the backward read freed memory once the JVM's GC had released the
         * buffer: gradients then depended on GC timing (runs gave NaN at random; DJL 0.36.0, libtorch 2.7.1).
         */
        private NDArray scaleArray;

        LoraLinear(Linear base, int in, int out, int rank, float scale) {
            super((byte) 1);
            this.base = addChildBlock("base", base);
            this.scale = scale;
            base.getParameters().get("weight").freeze(true);
            a = addParameter(Parameter.builder().setName("lora_A").setType(Parameter.Type.WEIGHT)
                    .optShape(new Shape(in, rank)).optInitializer(new UniformInitializer((float) (1 / Math.sqrt(in)))).build());
            b = addParameter(Parameter.builder().setName("lora_B").setType(Parameter.Type.WEIGHT)
                    .optShape(new Shape(rank, out)).optInitializer(Initializer.ZEROS).build());
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            NDArray y = base.forward(store, inputs, training, params).singletonOrThrow();
            NDArray aArr = store.getValue(a, x.getDevice(), training);
            NDArray bArr = store.getValue(b, x.getDevice(), training);
            return new NDList(y.add(x.matMul(aArr).matMul(bArr).mul(scaleArray)));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputs) {
            return base.getOutputShapes(inputs);
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            base.initialize(manager, dataType, inputShapes);  // already initialised: keeps the pretrained values
            if (scaleArray == null) scaleArray = manager.create(scale);  // the model's manager: closed with the model
        }
    }

    /** The peer line: DJL's and libtorch's versions, threads, and what libtorch reports of its build. */
    private static String describe(Engine engine) {
        String threads = "?", interop = "?", features = "?";
        try {
            Class<?> jni = Class.forName("ai.djl.pytorch.jni.JniUtils");
            threads = String.valueOf(jni.getMethod("getNumThreads").invoke(null));
            interop = String.valueOf(jni.getMethod("getNumInteropThreads").invoke(null));
            Method m = jni.getMethod("getFeatures");
            features = String.join(",", new TreeSet<>((java.util.Set<?>) m.invoke(null)).stream().map(String::valueOf).toList());
        } catch (ReflectiveOperationException | RuntimeException e) {
            log("DjlMnistMlp: cannot read libtorch's threads and features: " + e);
        }
        return f("peer name=djl version=%s engine=%s engine_version=%s threads=%s interop=%s features=%s offline=%s cache=%s",
                token(Engine.getDjlVersion()), engine.getEngineName(), token(engine.getVersion()), threads, interop,
                token(features.isEmpty() ? "(none)" : features), System.getProperty("ai.djl.offline"),
                token(String.valueOf(System.getenv("ENGINE_CACHE_DIR"))));
    }

    /** What loaded, where from, and one thread-count's rate at fc1's forward product (64x784 by 784x512). */
    private static void probe(Engine engine, String peer) throws Exception {
        out(peer);
        String cache = System.getenv("ENGINE_CACHE_DIR");
        if (cache != null) {
            try (var files = Files.walk(Path.of(cache))) {
                files.filter(Files::isRegularFile).forEach(p -> log("DjlMnistMlp: loaded from the cache: " + p));
            }
        }
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray x = manager.randomNormal(new Shape(64, 784));
            NDArray w = manager.randomNormal(new Shape(784, 512));
            if (System.getenv("MKL_VERBOSE") != null) {
                // MKL prints its banner (version, the code path it chose) at the first call, then a line per call:
                // one product is enough, and a rate measured while printing would mislead.
                try (NDArray y = x.matMul(w)) {
                    out(f("djl-probe matmul_shape=%s", y.getShape()));
                }
                return;
            }
            double best = 0;
            for (int round = 0; round < 5; round++) {
                long start = System.nanoTime();
                int reps = 0;
                while (System.nanoTime() - start < 60_000_000L) {
                    x.matMul(w).close();
                    reps++;
                }
                best = Math.max(best, 2.0 * 64 * 784 * 512 * reps / ((System.nanoTime() - start) / 1e9) / 1e9);
            }
            out(f("djl-probe matmul_gflops=%.1f threads=%s", best, System.getProperty("ai.djl.pytorch.num_threads")));
        }
    }

    private static float[] toFloats(int[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i];
        return out;
    }

    private static long[] toLongs(int[] v) {
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i];
        return out;
    }
}
