package dev.toylora.bench.peers;

import static dev.toylora.bench.peers.Report.f;
import static dev.toylora.bench.peers.Report.log;
import static dev.toylora.bench.peers.Report.out;
import static dev.toylora.bench.peers.Report.token;

import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * experiments/lora-r16.yaml's pretraining in Deeplearning4j 1.0.0-M2.1 on nd4j-native (CPU; the AVX-512 build unless
 * the pom's nd4j.classifier says otherwise), written as DL4J's own MNIST examples are: a {@link MultiLayerNetwork}
 * of {@link DenseLayer}s (ReLU) and a softmax {@link OutputLayer} with multi-class cross-entropy (MCXENT), Adam 1e-3
 * (betas 0.9/0.999, eps 1e-8: DL4J's defaults), float32, the in-memory {@link DataSet} shuffled each epoch and fitted
 * batch by batch (64, last batch partial). Dropout 0.2 after each hidden layer: DL4J's {@code dropOut(p)} takes the
 * probability of <em>keeping</em> an activation and applies to a layer's input, so layers 2-4 get {@code dropOut(0.8)}.
 * Weights start as PyTorch's nn.Linear and the engines start them, U(-1/sqrt(in), 1/sqrt(in)) ({@link
 * WeightInit#UNIFORM}); biases at 0 (DL4J's way). The 10,000 test images are evaluated after every epoch, as the
 * runner does.
 *
 * <p>No LoRA stage: DL4J has no low-rank adapter, and freezing W while training the same layer's bias and a
 * rank-16 branch needs a custom SameDiff layer, which would measure SameDiff's execution rather than the DenseLayer
 * path DL4J's users train with. Pretraining is the like-for-like figure.
 *
 * <p>Threads: as DL4J's users set them, OMP_NUM_THREADS (read by libnd4j's OpenMP and by the OpenBLAS it loads) — the
 * script sets it to {@code --threads}; a mismatch is reported, not silently fixed. {@code --probe}: what loaded
 * (binary level, OpenBLAS core) and a quick product rate; trains nothing.
 */
public final class Dl4jMnistMlp {

    private Dl4jMnistMlp() {}

    public static void main(String[] args) {
        Options o = Options.parse("Dl4jMnistMlp", args);
        String omp = System.getenv("OMP_NUM_THREADS");
        if (omp == null || !omp.trim().equals(Integer.toString(o.threads()))) {
            log(f("Dl4jMnistMlp: OMP_NUM_THREADS is %s but --threads is %d: ND4J sizes its pools from OMP_NUM_THREADS; set both",
                    omp, o.threads()));
            System.exit(2);
        }
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        String peer = describe();
        if (o.probe()) {
            probe(peer);
            return;
        }

        long loadStart = System.nanoTime();
        Mnist data = Mnist.load(o.data());
        log(f("loaded MNIST in %.1f s", (System.nanoTime() - loadStart) / 1e9));
        INDArray testX = Nd4j.create(data.testImages(), new long[] {data.testCount(), Mnist.PIXELS}, 'c');

        long started = System.nanoTime();
        int[] rows = Experiment.pretrainRows(data);
        DataSet train = new DataSet(
                Nd4j.create(Experiment.gather(data.trainImages(), rows), new long[] {rows.length, Mnist.PIXELS}, 'c'),
                oneHot(Experiment.gather(data.trainLabels(), rows)));
        int[] h = Experiment.LAYERS;
        double keep = 1.0 - Experiment.DROPOUT;
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(o.seed())
                .dataType(DataType.FLOAT)
                .updater(new Adam(Experiment.LEARNING_RATE))
                .weightInit(WeightInit.UNIFORM)
                .list()
                .layer(new DenseLayer.Builder().nIn(h[0]).nOut(h[1]).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(h[1]).nOut(h[2]).activation(Activation.RELU).dropOut(keep).build())
                .layer(new DenseLayer.Builder().nIn(h[2]).nOut(h[3]).activation(Activation.RELU).dropOut(keep).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(h[3]).nOut(h[4])
                        .activation(Activation.SOFTMAX).dropOut(keep).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();

        Random shuffle = new Random(o.seed());
        double trainSeconds = 0;
        long steps = 0;
        double[] acc = null;
        for (int epoch = 1; epoch <= o.pretrainEpochs(); epoch++) {
            long start = System.nanoTime();
            train.shuffle(shuffle.nextLong());
            List<DataSet> batches = train.batchBy(Experiment.BATCH);
            double lossSum = 0;
            for (DataSet batch : batches) {
                net.fit(batch);
                lossSum += net.score() * batch.numExamples();
                steps++;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            trainSeconds += seconds;
            acc = evaluate(net, testX, data);
            Report.epoch("pretrain", epoch, o.pretrainEpochs(), lossSum / rows.length, acc, rows.length, seconds);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Report.stage("pretrain", seconds, trainSeconds, rows.length, o.pretrainEpochs(), steps, "");
        Report.accuracy("base", acc);
        if (o.finetune()) log("Dl4jMnistMlp: no LoRA stage in DL4J (see the class comment): pretraining only");
        out(peer);
    }

    /** Percent correct (overall, 0-7, 8-9) on the test set, in batches of 1000 (the runner's evaluator). */
    private static double[] evaluate(MultiLayerNetwork net, INDArray testX, Mnist data) {
        int n = data.testCount();
        int[] predicted = new int[n];
        for (int from = 0; from < n; from += 1000) {
            int to = Math.min(n, from + 1000);
            INDArray classes = net.output(testX.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to),
                    org.nd4j.linalg.indexing.NDArrayIndex.all()), false).argMax(1);
            for (int i = from; i < to; i++) predicted[i] = classes.getInt(i - from);
        }
        return Experiment.accuracy(predicted, data.testLabels());
    }

    private static INDArray oneHot(int[] labels) {
        float[] v = new float[labels.length * Mnist.CLASSES];
        for (int i = 0; i < labels.length; i++) v[i * Mnist.CLASSES + labels[i]] = 1f;
        return Nd4j.create(v, new long[] {labels.length, Mnist.CLASSES}, 'c');
    }

    /** The peer line: versions, threads, libnd4j's binary and the CPU's level, the BLAS and the kernel it chose. */
    private static String describe() {
        var props = Nd4j.getExecutioner().getEnvironmentInformation();
        var ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        // libnd4jcpu links the OpenBLAS of JavaCPP's preset 0.3.19-1.5.7 (libopenblas.so.0), loaded before it.
        var loaded = LoadedOpenBlas.find("libopenblas");
        String core = loaded.map(LoadedOpenBlas::core).orElse("?");
        String config = loaded.map(LoadedOpenBlas::config).orElse("?");
        return f("peer name=dl4j version=1.0.0-M2.1 backend=%s blas=%s blas_core=%s blas_config=%s binary_level=%s cpu_level=%s"
                        + " omp_threads=%s max_threads=%d master_threads=%d openblas_threads=%d",
                token(String.valueOf(props.get("backend"))), token(String.valueOf(props.get("blas.vendor"))), token(core), token(config),
                level(ops.binaryLevel()), level(ops.optimalLevel()), System.getenv("OMP_NUM_THREADS"),
                Nd4j.getEnvironment().maxThreads(), Nd4j.getEnvironment().maxMasterThreads(),
                org.bytedeco.openblas.presets.openblas.blas_get_num_threads());
    }

    private static String level(int level) {
        return switch (level) {
            case 3 -> "AVX512";
            case 2 -> "AVX2";
            default -> "generic";
        };
    }

    /** What loaded, and the rate of fc1's forward product (64x784 by 784x512) through ND4J's mmul. */
    private static void probe(String peer) {
        out(peer);
        INDArray x = Nd4j.randn(DataType.FLOAT, 64, 784);
        INDArray w = Nd4j.randn(DataType.FLOAT, 784, 512);
        INDArray y = Nd4j.create(DataType.FLOAT, 64, 512);
        double best = 0;
        for (int round = 0; round < 5; round++) {
            long start = System.nanoTime();
            int reps = 0;
            while (System.nanoTime() - start < 60_000_000L) {
                x.mmuli(w, y);
                reps++;
            }
            best = Math.max(best, 2.0 * 64 * 784 * 512 * reps / ((System.nanoTime() - start) / 1e9) / 1e9);
        }
        out(f("dl4j-probe mmul_gflops=%.1f threads=%s", best, System.getenv("OMP_NUM_THREADS")));
    }
}
