package dev.toylora.runner.predict;

import dev.toylora.io.data.DataException;
import dev.toylora.io.data.DatasetLoader;
import dev.toylora.io.data.Pictures;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A picture of one digit, prepared as MNIST's digits were: grey, white ink on black, the ink's
 * bounding box scaled (keeping its aspect ratio) so its longer side is 20 pixels, placed in a 28×28
 * field so that its centre of mass lies at pixel (14, 14), and quantised to bytes 0..255.
 *
 * <p>Steps, in order:
 * <ol>
 *   <li>grey: luminance {@code 0.299 R + 0.587 G + 0.114 B}, a translucent pixel composited on white ({@link Pictures#grey});</li>
 *   <li>polarity: when the median of the border pixels is lighter than mid-grey the picture is dark ink
 *       on light paper, and is inverted so the ink is white;</li>
 *   <li>contrast: the background level (the border median) maps to 0 and the brightest ink to 1; what
 *       stays below {@value #NOISE_FLOOR} of that range is background noise (JPEG artefacts, paper) and becomes 0;</li>
 *   <li>crop to the bounding box of the pixels above {@value #INK_THRESHOLD};</li>
 *   <li>scale the longer side to {@value #BOX} pixels: area averaging when shrinking, bilinear when enlarging ({@link Pictures#resize});</li>
 *   <li>place it in {@value #SIZE}×{@value #SIZE}, shifted by whole pixels so that the centre of mass
 *       (in pixel indices, as measured on MNIST, whose test images average 13.99, 14.01) is nearest (14, 14).</li>
 * </ol>
 * {@link #features(float, float)} then standardises the bytes exactly as {@link DatasetLoader#normalise} does the data set's.
 */
public final class DigitImage {
    public static final int SIZE = 28;
    public static final int BOX = 20;
    public static final double CENTRE = 14.0;
    static final double INK_THRESHOLD = 0.2;
    static final double NOISE_FLOOR = 0.1;
    /** Less contrast than this (on 0..255) between the background and the brightest ink is a blank picture. */
    static final double MIN_CONTRAST = 32;

    private final byte[] pixels;
    private final boolean inverted;
    private final int width;
    private final int height;

    private DigitImage(byte[] pixels, boolean inverted, int width, int height) {
        this.pixels = pixels;
        this.inverted = inverted;
        this.width = width;
        this.height = height;
    }

    /** Reads a PNG, JPEG (or any format ImageIO reads) and prepares it; every failure names the file. */
    public static DigitImage read(Path file) {
        return of(Pictures.read(file, "a PNG or JPEG image of a digit"), file.toString());
    }

    /**
     * Reads a picture and prepares it as an image folder's pictures are ({@link Pictures#greyResized}): grey, the whole
     * picture resized to {@value #SIZE}×{@value #SIZE}, nothing inverted, cropped or centred.
     */
    public static DigitImage resized(Path file) {
        BufferedImage image = Pictures.read(file, "a PNG or JPEG image");
        return new DigitImage(Pictures.greyResized(image, SIZE), false, image.getWidth(), image.getHeight());
    }

    /** Prepares an image; {@code source} names it in error messages. */
    public static DigitImage of(BufferedImage image, String source) {
        int w = image.getWidth(), h = image.getHeight();
        double[] grey = Pictures.grey(image);
        double background = borderMedian(grey, w, h);
        boolean invert = background > 127.5;
        if (invert) {
            for (int i = 0; i < grey.length; i++) grey[i] = 255 - grey[i];
            background = 255 - background;
        }
        double peak = Arrays.stream(grey).max().orElse(0);
        if (peak - background < MIN_CONTRAST) {
            throw new DataException(source + ": no digit found: the image is blank (ink and background differ by "
                    + Math.round(peak - background) + " of 255 grey levels)");
        }
        double[] ink = new double[grey.length];
        for (int i = 0; i < grey.length; i++) {
            double v = (grey[i] - background) / (peak - background);
            ink[i] = v < NOISE_FLOOR ? 0 : Math.min(1, v);
        }
        int left = w, right = -1, top = h, bottom = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (ink[y * w + x] > INK_THRESHOLD) {
                    left = Math.min(left, x);
                    right = Math.max(right, x);
                    top = Math.min(top, y);
                    bottom = Math.max(bottom, y);
                }
            }
        }
        int cw = right - left + 1, ch = bottom - top + 1;
        double[] crop = new double[cw * ch];
        for (int y = 0; y < ch; y++) System.arraycopy(ink, (top + y) * w + left, crop, y * cw, cw);
        int longer = Math.max(cw, ch);
        int sw = Math.max(1, (int) Math.round((double) cw * BOX / longer));
        int sh = Math.max(1, (int) Math.round((double) ch * BOX / longer));
        double[] scaled = Pictures.resize(crop, cw, ch, sw, sh);

        double mass = 0, mx = 0, my = 0;
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < sw; x++) {
                double v = scaled[y * sw + x];
                mass += v;
                mx += v * x;
                my += v * y;
            }
        }
        int ox = clamp((int) Math.round(CENTRE - mx / mass), 0, SIZE - sw);
        int oy = clamp((int) Math.round(CENTRE - my / mass), 0, SIZE - sh);
        byte[] pixels = new byte[SIZE * SIZE];
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < sw; x++) {
                pixels[(oy + y) * SIZE + ox + x] = (byte) (int) Math.round(Math.min(1, Math.max(0, scaled[y * sw + x])) * 255);
            }
        }
        return new DigitImage(pixels, invert, w, h);
    }

    /** The 28×28 grey levels, row-major, white (255) ink on black (0), as in the MNIST files. */
    public byte[] pixels() {
        return pixels.clone();
    }

    /** Whether the picture was dark ink on light paper and had to be inverted. */
    public boolean inverted() {
        return inverted;
    }

    public int originalWidth() {
        return width;
    }

    public int originalHeight() {
        return height;
    }

    /** The model's input: {@code (byte/255 - mean) / std} per pixel, as the training data is standardised. */
    public float[] features(float mean, float std) {
        return DatasetLoader.normalise(pixels, mean, std);
    }

    /** The centre of mass of the 28×28 grey levels, {x, y} in pixel indices. */
    public double[] centreOfMass() {
        double mass = 0, mx = 0, my = 0;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int v = pixels[y * SIZE + x] & 0xFF;
                mass += v;
                mx += (double) v * x;
                my += (double) v * y;
            }
        }
        return new double[] {mx / mass, my / mass};
    }

    /** A text picture of the 28×28 field, for looking at what the model sees. */
    public String ascii() {
        StringBuilder s = new StringBuilder();
        String ramp = " .:-=+*#%@";
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) s.append(ramp.charAt((pixels[y * SIZE + x] & 0xFF) * (ramp.length() - 1) / 255));
            s.append('\n');
        }
        return s.toString();
    }

    private static double borderMedian(double[] grey, int w, int h) {
        double[] border = new double[w * h == 1 ? 1 : 2 * w + 2 * Math.max(0, h - 2)];
        int n = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (y == 0 || y == h - 1 || x == 0 || x == w - 1) {
                    if (n < border.length) border[n++] = grey[y * w + x];
                }
            }
        }
        double[] values = Arrays.copyOf(border, n);
        Arrays.sort(values);
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
