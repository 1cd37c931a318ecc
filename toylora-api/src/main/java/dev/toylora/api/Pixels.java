package dev.toylora.api;

/**
 * Pixel preparation as the networks were trained with it: bytes 0…255 scaled to [0, 1], then standardised with the
 * training set's mean and standard deviation ({@link #MNIST_MEAN}, {@link #MNIST_STD} for MNIST, as torchvision's
 * MNIST examples use). A network trained on standardised pixels gives nonsense on raw ones.
 */
public final class Pixels {
    private Pixels() {}

    public static final float MNIST_MEAN = 0.1307f;
    public static final float MNIST_STD = 0.3081f;

    /** {@code (b/255 − mean)/std} for every byte, in order. */
    public static float[] standardise(byte[] pixels, float mean, float std) {
        if (!(std > 0) || !Float.isFinite(mean)) throw new IllegalArgumentException("standardising needs a finite mean and std > 0, got " + mean + " and " + std);
        float[] table = new float[256];
        for (int b = 0; b < 256; b++) table[b] = (b / 255f - mean) / std;
        float[] out = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) out[i] = table[pixels[i] & 0xFF];
        return out;
    }
}
