package dev.toylora.runner.serve;

import dev.toylora.io.data.DataException;
import dev.toylora.io.data.DatasetLoader;
import dev.toylora.io.data.KnownDataset;
import dev.toylora.runner.predict.DigitImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.jspecify.annotations.Nullable;

/**
 * One image of a predict request turned into the model's 784 inputs: a PNG/JPEG picture (prepared as {@code predict}
 * prepares it, {@link DigitImage}), 784 grey bytes as MNIST stores them, or 784 ready features.
 */
final class Inputs {
    static final int PIXELS = DigitImage.SIZE * DigitImage.SIZE;
    /** Far beyond any standardised pixel ((255/255 − 0.13) / 0.31 ≈ 2.8): a bound, not a check of meaning. */
    private static final double MAX_FEATURE = 1e4;
    private static final Set<String> FORMATS = Set.of("png", "jpeg");
    private static final java.util.regex.Pattern WHITESPACE = java.util.regex.Pattern.compile("\\s+");

    /**
     * Pictures decoded at once: preparing one holds several double arrays of its size (a large picture, many times its
     * file), and decoding is CPU work anyway, so no more decode at once than there are cores.
     */
    private static final Semaphore DECODERS = new Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors()));

    static {
        ImageIO.setUseCache(false); // decode in memory, never through temporary files
    }

    private Inputs() {}

    /** An image's features and, for a picture, what it was prepared into (shown to the user). */
    record Prepared(float[] features, byte @Nullable [] pixels, boolean inverted) {}

    /** A picture's bytes (base64, or a {@code data:} URL as a canvas gives it). */
    static Prepared picture(String base64, String where, KnownDataset dataset, int maxSide, long deadlineNanos) {
        byte[] bytes = decodeBase64(base64, where);
        DigitImage digit;
        try {
            if (!DECODERS.tryAcquire(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw ApiException.busy(where + ": every picture decoder stayed busy past the time limit; try again shortly");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.busy("the server is shutting down");
        }
        try {
            digit = DigitImage.of(readImage(bytes, where, maxSide), where);
        } catch (DataException e) {
            throw ApiException.badRequest(e.getMessage());
        } finally {
            DECODERS.release();
        }
        byte[] pixels = digit.pixels();
        return new Prepared(digit.features(dataset.mean(), dataset.std()), pixels, digit.inverted());
    }

    /** 784 grey levels 0..255, white ink on black, row-major, base64: what the MNIST files hold. */
    static Prepared pixels(String base64, String where, KnownDataset dataset) {
        byte[] pixels = decodeBase64(base64, where);
        if (pixels.length != PIXELS) throw ApiException.badRequest(where + " holds " + pixels.length + " bytes, expected " + PIXELS + " (28×28 grey levels)");
        return new Prepared(DatasetLoader.normalise(pixels, dataset.mean(), dataset.std()), null, false);
    }

    /** 784 standardised values, the model's input as it is. */
    static Prepared features(com.fasterxml.jackson.databind.JsonNode array, String where) {
        if (!array.isArray() || array.size() != PIXELS) {
            throw ApiException.badRequest(where + " must be an array of " + PIXELS + " numbers, got "
                    + (array.isArray() ? array.size() + " values" : "a " + array.getNodeType().toString().toLowerCase(Locale.ROOT)));
        }
        float[] features = new float[PIXELS];
        for (int i = 0; i < PIXELS; i++) {
            var v = array.get(i);
            if (!v.isNumber() || !(Math.abs(v.asDouble()) <= MAX_FEATURE)) {
                throw ApiException.badRequest(where + "[" + i + "] must be a finite number of magnitude at most " + (long) MAX_FEATURE + ", got "
                        + SafePaths.printable(v.toString()));
            }
            features[i] = (float) v.asDouble();
        }
        return new Prepared(features, null, false);
    }

    private static byte[] decodeBase64(String text, String where) {
        String data = text;
        if (data.startsWith("data:")) {
            int comma = data.indexOf(',');
            if (comma < 0 || !data.substring(0, comma).endsWith(";base64")) throw ApiException.badRequest(where + " is a data: URL without ;base64,");
            data = data.substring(comma + 1);
        }
        try {
            return Base64.getDecoder().decode(WHITESPACE.matcher(data).replaceAll(""));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(where + " is not valid base64: " + e.getMessage());
        }
    }

    /** Reads the size first and decodes only a PNG or JPEG no larger than {@code maxSide} each way. */
    private static BufferedImage readImage(byte[] bytes, String where, int maxSide) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) throw ApiException.badRequest(where + " is not a picture (PNG or JPEG expected)");
            ImageReader reader = readers.next();
            try {
                String format = reader.getFormatName().toLowerCase(Locale.ROOT);
                if (!FORMATS.contains(format)) throw ApiException.badRequest(where + " is a " + format + " picture; PNG or JPEG expected");
                reader.setInput(in, true, true);
                int width = reader.getWidth(0), height = reader.getHeight(0);
                if (width < 1 || height < 1 || width > maxSide || height > maxSide) {
                    throw ApiException.tooLarge(where + " is " + width + "×" + height + " pixels; at most " + maxSide + " each way");
                }
                BufferedImage image = reader.read(0);
                if (image == null) throw ApiException.badRequest(where + " could not be decoded");
                return image;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiException api) throw api;
            throw ApiException.badRequest(where + " is not a readable PNG or JPEG: " + e.getMessage());
        }
    }
}
