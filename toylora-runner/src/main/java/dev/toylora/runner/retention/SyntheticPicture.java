package dev.toylora.runner.retention;

import dev.toylora.io.data.Dataset;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * What the base remembers, to look at: a PNG of synthetic images, one row per class (its first {@code perClass}
 * images), each pixel drawn as a {@code scale × scale} square.
 */
public final class SyntheticPicture {
    private SyntheticPicture() {}

    /** The PNG's bytes; pixels are read back from the standardised values with {@code mean} and {@code std}. */
    public static byte[] png(Dataset images, List<Integer> classes, int perClass, int scale, float mean, float std) {
        int side = (int) Math.round(Math.sqrt(images.columns()));
        int cell = side * scale + 2;
        BufferedImage picture = new BufferedImage(perClass * cell, classes.size() * cell, BufferedImage.TYPE_BYTE_GRAY);
        float[] row = new float[images.columns()];
        for (int c = 0; c < classes.size(); c++) {
            int shown = 0;
            for (int r = 0; r < images.rows() && shown < perClass; r++) {
                if (images.label(r) != classes.get(c)) continue;
                images.copyRow(r, row, 0);
                for (int y = 0; y < side * scale; y++) {
                    for (int x = 0; x < side * scale; x++) {
                        float pixel = row[(y / scale) * side + x / scale] * std + mean;
                        int gray = Math.round(255 * Math.min(1f, Math.max(0f, pixel)));
                        picture.getRaster().setSample(shown * cell + 1 + x, c * cell + 1 + y, 0, gray);
                    }
                }
                shown++;
            }
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(picture, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the synthetic images as PNG", e);
        }
    }
}
