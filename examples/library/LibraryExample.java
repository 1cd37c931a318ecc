import dev.toylora.api.Adapter;
import dev.toylora.api.Backend;
import dev.toylora.api.Backends;
import dev.toylora.api.Batch;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.OptimizerSpec;
import dev.toylora.api.Trainer;
import dev.toylora.io.ModelFiles;
import dev.toylora.io.data.DataSplit;
import dev.toylora.io.data.Dataset;
import dev.toylora.io.data.Datasets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ToyLoRA as a library, without the runner: pretrain the MLP on MNIST's digits 0–7 for one epoch, attach a LoRA
 * adapter and teach it 8 and 9 (with 0–7 replayed) for one epoch, save base and adapter (and the adapter as a PEFT
 * directory), load them back and check the reloaded model scores exactly what the trained one did.
 *
 * <p>Needs toylora-io, toylora-api, an engine (toylora-engine-ojalgo, say) and jackson-databind on the class path; see
 * docs/library.md. Run: {@code java -cp CLASSPATH examples/library/LibraryExample.java [data/mnist] [out-folder]}.
 */
public class LibraryExample {
    static final List<Integer> OLD = List.of(0, 1, 2, 3, 4, 5, 6, 7);
    static final List<Integer> NEW = List.of(8, 9);

    public static void main(String[] args) {
        Path data = Path.of(args.length > 0 ? args[0] : "data/mnist");
        Path out = Path.of(args.length > 1 ? args[1] : "library-example");

        Backend backend = Backends.best(); // the best engine on the class path
        DataSplit mnist = Datasets.mnist(data); // the four IDX files, verified by SHA-256
        Dataset train = mnist.train();
        Dataset test = mnist.test();
        System.out.println("engine " + backend.name() + "; " + train.rows() + " training and " + test.rows() + " test images");

        // 1. Pretrain on 0–7: one epoch, batches of 64, Adam.
        Network network = backend.create(NetworkSpec.mnistMlp(), 42);
        Dataset old = train.subset(train.rowsOfClasses(OLD));
        Trainer trainer = network.trainer(OptimizerSpec.adam(1e-3), 1);
        for (Batch batch : old.batches(64, 1)) trainer.step(batch);
        report("base", network, test);
        ModelFiles.BaseFile base = ModelFiles.saveBase(out.resolve("base.safetensors"), network,
                Map.of("toylora.old-classes", "0,1,2,3,4,5,6,7", "toylora.new-classes", "8,9", "toylora.dataset", "mnist"));

        // 2. LoRA on every layer: the base is frozen, A and B (and the adapted layers' biases) train on 8–9 plus as many 0–7.
        Adapter adapter = network.attach(LoraSpec.builder().rank(16).alpha(32).targets("fc1", "fc2", "fc3", "fc4").trainBias(true).build(), 7);
        int[] fresh = train.rowsOfClasses(NEW);
        int[] replayed = Arrays.copyOf(train.rowsOfClasses(OLD), fresh.length); // a simple replay: the first 0–7 images
        int[] rows = Arrays.copyOf(fresh, 2 * fresh.length);
        System.arraycopy(replayed, 0, rows, fresh.length, fresh.length);
        Trainer tuner = network.trainer(OptimizerSpec.adam(1e-3), 2);
        for (Batch batch : train.subset(rows).batches(64, 2)) tuner.step(batch);
        System.out.println("adapter: " + adapter.trainableParameters() + " trainable parameters");
        double[] adapted = report("adapted", network, test);
        ModelFiles.saveAdapter(out.resolve("adapter.safetensors"), adapter, base);
        ModelFiles.savePeftAdapter(out.resolve("adapter-peft"), adapter, base);

        // 3. Load both back, as another program would, and check they compute the same.
        for (Path saved : List.of(out.resolve("adapter.safetensors"), out.resolve("adapter-peft"))) {
            Network restored = ModelFiles.loadBase(out.resolve("base.safetensors"), backend);
            ModelFiles.loadAdapter(saved, restored);
            double[] reloaded = report("reloaded", restored, test);
            if (!Arrays.equals(adapted, reloaded)) {
                System.out.println("FAIL: " + saved + " scores differently from the trained model");
                System.exit(1);
            }
            System.out.println("reloaded " + saved + ": the same accuracy as the trained model");
        }
    }

    /** Test accuracy overall, on 0–7 and on 8–9, in percent, printed and returned. */
    static double[] report(String what, Network network, Dataset test) {
        double[] accuracy = {
            100 * network.accuracy(test.asBatch()),
            100 * network.accuracy(test.subset(test.rowsOfClasses(OLD)).asBatch()),
            100 * network.accuracy(test.subset(test.rowsOfClasses(NEW)).asBatch())};
        System.out.printf(Locale.ROOT, "%-8s overall %.2f%%, 0-7 %.2f%%, 8-9 %.2f%%%n", what, accuracy[0], accuracy[1], accuracy[2]);
        return accuracy;
    }
}
