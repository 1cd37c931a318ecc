package dev.toylora.bench.peers;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * experiments/lora-r16.yaml's data, as bench/pytorch_lora.py selects it: pretraining on every training image of 0-7
 * (48,200); fine-tuning on every 8 and 9 (11,800) plus round(3.0 x 11,800) = 35,400 replayed images of 0-7, spread
 * evenly over the eight classes and drawn without replacement within a class. The draws are this class's own (seeded),
 * as PyTorch's are its own: accuracies agree within seed-to-seed noise, not digit for digit.
 */
public final class Experiment {

    public static final int[] LAYERS = {Mnist.PIXELS, 512, 256, 128, Mnist.CLASSES};
    public static final float DROPOUT = 0.2f;
    public static final int BATCH = 64;
    public static final float LEARNING_RATE = 1e-3f;
    public static final int RANK = 16;
    public static final float ALPHA = 32f;
    public static final double REPLAY = 3.0;

    private Experiment() {}

    /** Indices of the training images labelled 0-7, in file order. */
    public static int[] pretrainRows(Mnist data) {
        return rows(data.trainLabels(), 0, 7);
    }

    /** Indices of every 8 and 9, then of the replayed 0-7 images (per class: whole passes before any repeat). */
    public static int[] finetuneRows(Mnist data, long seed) {
        int[] labels = data.trainLabels();
        int[] fresh = rows(labels, 8, 9);
        int count = (int) Math.round(REPLAY * fresh.length);
        Random random = new Random(seed);
        List<Integer> picked = new ArrayList<>();
        for (int label = 0; label < 8; label++) {
            int share = count / 8 + (label < count % 8 ? 1 : 0);
            int[] pool = rows(labels, label, label);
            int taken = 0;
            while (taken < share) {
                int[] order = pool.clone();
                shuffle(order, random);
                for (int i = 0; i < order.length && taken < share; i++, taken++) picked.add(order[i]);
            }
        }
        int[] out = new int[fresh.length + picked.size()];
        System.arraycopy(fresh, 0, out, 0, fresh.length);
        for (int i = 0; i < picked.size(); i++) out[fresh.length + i] = picked.get(i);
        return out;
    }

    public static int newImages(Mnist data) {
        return rows(data.trainLabels(), 8, 9).length;
    }

    public static int[] rows(int[] labels, int from, int to) {
        return java.util.stream.IntStream.range(0, labels.length).filter(i -> labels[i] >= from && labels[i] <= to).toArray();
    }

    public static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** Rows {@code rows} of {@code images} (each {@link Mnist#PIXELS} floats), gathered into one array. */
    public static float[] gather(float[] images, int[] rows) {
        float[] out = new float[rows.length * Mnist.PIXELS];
        for (int i = 0; i < rows.length; i++) System.arraycopy(images, rows[i] * Mnist.PIXELS, out, i * Mnist.PIXELS, Mnist.PIXELS);
        return out;
    }

    public static int[] gather(int[] labels, int[] rows) {
        int[] out = new int[rows.length];
        for (int i = 0; i < rows.length; i++) out[i] = labels[rows[i]];
        return out;
    }

    /** Percent correct overall, on 0-7 and on 8-9, from predicted and true classes. */
    public static double[] accuracy(int[] predicted, int[] truth) {
        int right = 0, old = 0, oldRight = 0, fresh = 0, freshRight = 0;
        for (int i = 0; i < truth.length; i++) {
            boolean ok = predicted[i] == truth[i];
            if (ok) right++;
            if (truth[i] < 8) {
                old++;
                if (ok) oldRight++;
            } else {
                fresh++;
                if (ok) freshRight++;
            }
        }
        return new double[] {100.0 * right / truth.length, 100.0 * oldRight / Math.max(1, old), 100.0 * freshRight / Math.max(1, fresh)};
    }
}
