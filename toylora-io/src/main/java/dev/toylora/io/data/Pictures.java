package dev.toylora.io.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Pictures turned into what a network takes: read (PNG, JPEG or any format ImageIO reads), grey, resized. The runner's
 * {@code predict} prepares a digit with these steps and more (inverting, cropping, centring, as MNIST's digits were);
 * {@link Datasets#imageFolder} takes the plain steps: grey, then the whole picture resized.
 */
public final class Pictures {
    private Pictures() {}

    /** Reads a picture; every failure names the file and says what was expected ({@code expected}, e.g. "a PNG or JPEG image"). */
    public static BufferedImage read(Path file, String expected) {
        if (!Files.isRegularFile(file)) {
            throw new DataException(file + ": " + (Files.isDirectory(file) ? "is a directory" : "no such file") + ", expected " + expected);
        }
        BufferedImage image;
        try {
            ImageIO.setUseCache(false);
            image = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new DataException(file + ": not a readable image (PNG or JPEG expected): " + e.getMessage(), e);
        }
        if (image == null) throw new DataException(file + ": not a readable image; expected " + expected);
        return image;
    }

    /**
     * Grey levels 0..255, row-major: luminance {@code 0.299 R + 0.587 G + 0.114 B}, a translucent pixel composited on
     * white (as it shows on a page). A grey image (8 or 16 bits) gives its stored levels as they are.
     */
    public static double[] grey(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        double[] grey = new double[w * h];
        if (image.getType() == BufferedImage.TYPE_BYTE_GRAY || image.getType() == BufferedImage.TYPE_USHORT_GRAY) {
            // getRGB would treat the levels as linear light and brighten them into sRGB; the file's levels are what it shows
            double scale = 255.0 / ((1 << image.getSampleModel().getSampleSize(0)) - 1);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) grey[y * w + x] = image.getRaster().getSample(x, y, 0) * scale;
            }
            return grey;
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int argb = image.getRGB(x, y);
                double a = (argb >>> 24) / 255.0;
                double r = (argb >> 16) & 0xFF, g = (argb >> 8) & 0xFF, b = argb & 0xFF;
                double luminance = 0.299 * r + 0.587 * g + 0.114 * b;
                grey[y * w + x] = a * luminance + (1 - a) * 255;
            }
        }
        return grey;
    }

    /**
     * The picture grey and resized to {@code side × side} (stretched if it is not square, as torchvision's
     * {@code Resize((side, side))}), quantised to bytes 0..255, row-major.
     */
    public static byte[] greyResized(BufferedImage image, int side) {
        double[] scaled = resize(grey(image), image.getWidth(), image.getHeight(), side, side);
        byte[] pixels = new byte[side * side];
        for (int i = 0; i < pixels.length; i++) pixels[i] = (byte) (int) Math.round(Math.min(255, Math.max(0, scaled[i])));
        return pixels;
    }

    /**
     * Separable resampling of a row-major {@code sw × sh} picture to {@code dw × dh}: area averaging along an axis that
     * shrinks (or keeps its size), bilinear along one that grows.
     */
    public static double[] resize(double[] src, int sw, int sh, int dw, int dh) {
        double[] rows = new double[dw * sh];
        double[] line = new double[Math.max(sw, sh)];
        double[] out = new double[Math.max(dw, dh)];
        for (int y = 0; y < sh; y++) {
            System.arraycopy(src, y * sw, line, 0, sw);
            resample(line, sw, out, dw);
            System.arraycopy(out, 0, rows, y * dw, dw);
        }
        double[] result = new double[dw * dh];
        for (int x = 0; x < dw; x++) {
            for (int y = 0; y < sh; y++) line[y] = rows[y * dw + x];
            resample(line, sh, out, dh);
            for (int y = 0; y < dh; y++) result[y * dw + x] = out[y];
        }
        return result;
    }

    private static void resample(double[] in, int n, double[] out, int m) {
        if (m <= n) {
            double scale = (double) n / m; // each output sample covers [i·scale, (i+1)·scale) of the input
            for (int i = 0; i < m; i++) {
                double from = i * scale, to = from + scale, sum = 0;
                for (int j = (int) Math.floor(from); j < Math.min(n, (int) Math.ceil(to)); j++) {
                    double overlap = Math.min(to, j + 1) - Math.max(from, j);
                    if (overlap > 0) sum += overlap * in[j];
                }
                out[i] = sum / scale;
            }
        } else {
            double scale = (double) n / m;
            for (int i = 0; i < m; i++) {
                double centre = (i + 0.5) * scale - 0.5; // pixel centres aligned, as image scalers do
                double c = Math.max(0, Math.min(n - 1, centre));
                int j = (int) Math.floor(c);
                int k = Math.min(n - 1, j + 1);
                double t = c - j;
                out[i] = in[j] * (1 - t) + in[k] * t;
            }
        }
    }
}
