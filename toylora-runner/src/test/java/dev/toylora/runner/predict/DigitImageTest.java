package dev.toylora.runner.predict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.io.data.DataException;
import dev.toylora.io.data.DatasetLoader;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigitImageTest {
    @TempDir
    Path dir;

    /** A "7"-like stroke drawn anti-aliased: a bar along the top and a slanted leg, mass off to one side. */
    static BufferedImage seven(int width, int height, Color ink, Color paper, int type) {
        BufferedImage image = new BufferedImage(width, height, type);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setComposite(java.awt.AlphaComposite.Src);
        g.setColor(paper);
        g.fillRect(0, 0, width, height);
        g.setColor(ink);
        float unit = Math.min(width, height) / 10f;
        g.setStroke(new BasicStroke(unit, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.drawLine(Math.round(width * 0.3f), Math.round(height * 0.2f), Math.round(width * 0.7f), Math.round(height * 0.2f));
        g.drawLine(Math.round(width * 0.7f), Math.round(height * 0.2f), Math.round(width * 0.45f), Math.round(height * 0.85f));
        g.dispose();
        return image;
    }

    static BufferedImage seven(int width, int height, Color ink, Color paper) {
        return seven(width, height, ink, paper, BufferedImage.TYPE_INT_RGB);
    }

    /** Bounding box {left, top, right, bottom} of the non-zero pixels of a 28×28 picture. */
    static int[] box(byte[] pixels) {
        int[] b = {28, 28, -1, -1};
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                if ((pixels[y * 28 + x] & 0xFF) > 0) {
                    b[0] = Math.min(b[0], x);
                    b[1] = Math.min(b[1], y);
                    b[2] = Math.max(b[2], x);
                    b[3] = Math.max(b[3], y);
                }
            }
        }
        return b;
    }

    @Test
    void blackOnWhiteGivesTheSamePictureAsWhiteOnBlack() {
        DigitImage light = DigitImage.of(seven(90, 120, Color.WHITE, Color.BLACK), "light");
        DigitImage dark = DigitImage.of(seven(90, 120, Color.BLACK, Color.WHITE), "dark");
        assertFalse(light.inverted());
        assertTrue(dark.inverted());
        assertArrayEquals(light.pixels(), dark.pixels());
    }

    @Test
    void aTransparentBackgroundIsWhitePaper() {
        BufferedImage transparent = seven(60, 60, Color.BLACK, new Color(0, 0, 0, 0), BufferedImage.TYPE_INT_ARGB);
        assertArrayEquals(DigitImage.of(seven(60, 60, Color.BLACK, Color.WHITE), "opaque").pixels(),
                DigitImage.of(transparent, "transparent").pixels());
    }

    @Test
    void aLargePictureIsScaledSoItsLongerSideIsTwentyPixels() {
        DigitImage digit = DigitImage.of(seven(600, 800, Color.BLACK, Color.WHITE), "big");
        byte[] pixels = digit.pixels();
        assertEquals(28 * 28, pixels.length);
        int[] b = box(pixels);
        int width = b[2] - b[0] + 1, height = b[3] - b[1] + 1;
        assertEquals(20, height, "the longer side (the digit is taller than wide)");
        assertTrue(width < 20 && width > 8, "width " + width + " keeps the aspect ratio");
        int max = 0;
        for (byte p : pixels) max = Math.max(max, p & 0xFF);
        assertEquals(255, max, "the strongest ink is white");
    }

    @Test
    void theAspectRatioIsKept() {
        BufferedImage bar = new BufferedImage(300, 300, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = bar.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 300, 300);
        g.setColor(Color.BLACK);
        g.fillRect(140, 50, 20, 200); // 20 × 200: a "1"
        g.dispose();
        int[] b = box(DigitImage.of(bar, "bar").pixels());
        assertEquals(2, b[2] - b[0] + 1);
        assertEquals(20, b[3] - b[1] + 1);
    }

    @Test
    void theCentreOfMassLandsAtFourteenFourteen() {
        for (BufferedImage picture : new BufferedImage[] {seven(90, 120, Color.BLACK, Color.WHITE), seven(400, 150, Color.WHITE, Color.BLACK),
                seven(33, 29, Color.DARK_GRAY, Color.LIGHT_GRAY)}) {
            double[] centre = DigitImage.of(picture, "seven").centreOfMass();
            assertEquals(14.0, centre[0], 0.5, "x");
            assertEquals(14.0, centre[1], 0.5, "y");
        }
    }

    @Test
    void featuresAreStandardisedAsTheTrainingDataIs() {
        DigitImage digit = DigitImage.of(seven(50, 50, Color.BLACK, Color.WHITE), "seven");
        assertArrayEquals(DatasetLoader.normalise(digit.pixels(), 0.1307f, 0.3081f), digit.features(0.1307f, 0.3081f));
        assertEquals((0 - 0.1307f) / 0.3081f, digit.features(0.1307f, 0.3081f)[0], "the background is MNIST's black");
    }

    @Test
    void aBlankPictureIsRefused() {
        BufferedImage blank = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = blank.createGraphics();
        g.setColor(new Color(250, 250, 250));
        g.fillRect(0, 0, 40, 40);
        g.setColor(new Color(240, 240, 240));
        g.fillRect(10, 10, 5, 5); // a faint smudge is not a digit
        g.dispose();
        DataException e = assertThrows(DataException.class, () -> DigitImage.of(blank, "blank.png"));
        assertTrue(e.getMessage().startsWith("blank.png: no digit found"), e.getMessage());
    }

    @Test
    void filesAreReadAndBadFilesNamed() throws Exception {
        Path png = dir.resolve("seven.png");
        ImageIO.write(seven(64, 64, Color.BLACK, Color.WHITE), "png", png.toFile());
        assertArrayEquals(DigitImage.of(seven(64, 64, Color.BLACK, Color.WHITE), "x").pixels(), DigitImage.read(png).pixels());

        Path text = Files.writeString(dir.resolve("notes.png"), "not an image");
        DataException e = assertThrows(DataException.class, () -> DigitImage.read(text));
        assertTrue(e.getMessage().startsWith(text + ": not a readable image"), e.getMessage());
        Path missing = dir.resolve("missing.png");
        e = assertThrows(DataException.class, () -> DigitImage.read(missing));
        assertTrue(e.getMessage().startsWith(missing + ": no such file"), e.getMessage());
        e = assertThrows(DataException.class, () -> DigitImage.read(dir));
        assertTrue(e.getMessage().startsWith(dir + ": is a directory"), e.getMessage());
    }
}
