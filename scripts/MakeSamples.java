import java.awt.AlphaComposite;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;

/**
 * Makes the sample pictures in samples/ from the MNIST test set, for `runner predict`:
 *
 *   java scripts/MakeSamples.java [MNIST_DIR] [OUT_DIR]        (defaults: data/mnist samples)
 *
 * One picture per digit, the first test image of that class (test-set indices 3, 2, 1, 18, 4, 8, 11,
 * 0, 61, 7 for 0..9), each in a different form so that every step of the preparation is exercised:
 * as stored (white on black, 28×28), inverted, enlarged, off-centre, JPEG, coloured ink on coloured
 * paper, transparent background, low contrast. Files are named DIGIT-FORM.png|jpg. Only the JDK is
 * needed (single-file source launch, no build).
 */
public class MakeSamples {
    record Form(String name, String format, int width, int height, int x, int y, int size, int ink, int paper, boolean alpha) {}

    public static void main(String[] args) throws IOException {
        Path data = Path.of(args.length > 0 ? args[0] : "data/mnist");
        Path out = Path.of(args.length > 1 ? args[1] : "samples");
        byte[] images = idx(data, "t10k-images-idx3-ubyte", 16);
        byte[] labels = idx(data, "t10k-labels-idx1-ubyte", 8);
        int black = 0x000000, white = 0xFFFFFF;
        Form[] forms = {
            new Form("mnist", "png", 28, 28, 0, 0, 28, white, black, false),                  // as stored
            new Form("black-on-white", "png", 28, 28, 0, 0, 28, black, white, false),         // inverted
            new Form("large", "png", 200, 200, 0, 0, 200, black, white, false),               // enlarged
            new Form("large-dark", "jpg", 200, 200, 0, 0, 200, white, black, false),          // enlarged JPEG, light on dark
            new Form("off-centre", "png", 160, 120, 12, 50, 64, black, white, false),         // small, off-centre, wide canvas
            new Form("blue-ink", "jpg", 150, 150, 10, 5, 130, 0x1E3C96, 0xF5EBC8, false),     // blue ink on cream paper, JPEG
            new Form("transparent", "png", 112, 112, 0, 0, 112, black, white, true),          // black ink, transparent background
            new Form("low-contrast", "png", 100, 100, 0, 0, 100, 0xB4B4B4, 0x505050, false),  // light grey on dark grey
            new Form("large", "png", 280, 280, 0, 0, 280, black, white, false),
            new Form("large", "jpg", 200, 200, 0, 0, 200, black, white, false),
        };
        Files.createDirectories(out);
        for (int digit = 0; digit < 10; digit++) {
            int index = 0;
            while ((labels[index] & 0xFF) != digit) index++;
            Form form = forms[digit];
            BufferedImage picture = draw(images, index, form);
            Path file = out.resolve(digit + "-" + form.name() + "." + form.format());
            if (!ImageIO.write(picture, form.format(), file.toFile())) throw new IOException("no ImageIO writer for " + form.format());
            System.out.println(file + ": test image " + index + ", " + form.width() + "×" + form.height());
        }
    }

    /** The IDX file's bytes after its header (raw or .gz). */
    static byte[] idx(Path dir, String name, int header) throws IOException {
        Path file = Files.isRegularFile(dir.resolve(name)) ? dir.resolve(name) : dir.resolve(name + ".gz");
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length > 1 && (bytes[0] & 0xFF) == 0x1F && (bytes[1] & 0xFF) == 0x8B) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
                bytes = in.readAllBytes();
            }
        }
        return Arrays.copyOfRange(bytes, header, bytes.length);
    }

    static BufferedImage draw(byte[] images, int index, Form form) {
        BufferedImage digit = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) digit.getRaster().setSample(x, y, 0, images[index * 784 + y * 28 + x] & 0xFF);
        }
        BufferedImage scaled = new BufferedImage(form.size(), form.size(), BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = scaled.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setComposite(AlphaComposite.Src);
        g.drawImage(digit, 0, 0, form.size(), form.size(), null);
        g.dispose();
        BufferedImage picture = new BufferedImage(form.width(), form.height(), form.alpha() ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < form.height(); y++) {
            for (int x = 0; x < form.width(); x++) {
                int sx = x - form.x(), sy = y - form.y();
                double v = sx >= 0 && sy >= 0 && sx < form.size() && sy < form.size() ? scaled.getRaster().getSample(sx, sy, 0) / 255.0 : 0;
                int argb = form.alpha() ? ((int) Math.round(v * 255) << 24) | form.ink() : 0xFF000000 | mix(form.paper(), form.ink(), v);
                picture.setRGB(x, y, argb);
            }
        }
        return picture;
    }

    /** {@code (1 - v)·paper + v·ink}, per channel. */
    static int mix(int paper, int ink, double v) {
        int rgb = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
            double c = (1 - v) * ((paper >> shift) & 0xFF) + v * ((ink >> shift) & 0xFF);
            rgb |= (int) Math.round(c) << shift;
        }
        return rgb;
    }
}
