package dev.toylora.io.data;

/**
 * The contents of an IDX images file (magic {@code 0x00000803}): {@code count} images of
 * {@code rows × cols} unsigned bytes, image after image, each row-major. Pixel {@code (r, c)} of image
 * {@code i} is {@code pixels[i*rows*cols + r*cols + c] & 0xFF}.
 */
public record IdxImages(int count, int rows, int cols, byte[] pixels) {

    public IdxImages {
        if (count < 0 || rows < 1 || cols < 1 || (long) count * rows * cols != pixels.length) {
            throw new IllegalArgumentException(count + " images of " + rows + "×" + cols + " need "
                    + (long) count * rows * cols + " pixels, got " + pixels.length);
        }
    }

    /** Pixels per image, {@code rows * cols}. */
    public int pixelsPerImage() {
        return rows * cols;
    }

    @Override
    public String toString() {
        return "IdxImages[" + count + " × " + rows + "×" + cols + "]";
    }
}
