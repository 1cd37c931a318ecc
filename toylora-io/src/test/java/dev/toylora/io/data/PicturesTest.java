package dev.toylora.io.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.Color;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class PicturesTest {

    @Test
    void resizingAveragesAreasWhenShrinkingAndInterpolatesWhenGrowing() {
        assertArrayEquals(new double[] {0.5, 0.5}, Pictures.resize(new double[] {1, 0, 1, 0}, 4, 1, 2, 1), 1e-12);
        assertArrayEquals(new double[] {2 / 3.0, 0}, Pictures.resize(new double[] {1, 0, 0}, 3, 1, 2, 1), 1e-12);
        assertArrayEquals(new double[] {0, 0.25, 0.75, 1}, Pictures.resize(new double[] {0, 1}, 2, 1, 4, 1), 1e-12);
    }

    @Test
    void greyIsLuminanceWithTranslucencyOnWhite() {
        BufferedImage image = new BufferedImage(3, 1, BufferedImage.TYPE_INT_ARGB);
        image.setRGB(0, 0, Color.RED.getRGB());
        image.setRGB(1, 0, 0x00000000); // fully transparent: the white page shows
        image.setRGB(2, 0, 0xFF808080);
        assertArrayEquals(new double[] {0.299 * 255, 255, 128}, Pictures.grey(image), 1e-9);
    }

    @Test
    void greyResizedStretchesTheWholePicture() {
        BufferedImage image = new BufferedImage(4, 2, BufferedImage.TYPE_BYTE_GRAY);
        for (int x = 0; x < 4; x++) for (int y = 0; y < 2; y++) image.getRaster().setSample(x, y, 0, x < 2 ? 0 : 200);
        byte[] pixels = Pictures.greyResized(image, 2);
        assertEquals(4, pixels.length);
        assertArrayEquals(new byte[] {0, (byte) 200, 0, (byte) 200}, pixels);
    }
}
