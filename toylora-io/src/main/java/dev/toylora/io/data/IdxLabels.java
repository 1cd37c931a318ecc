package dev.toylora.io.data;

/**
 * The contents of an IDX labels file (magic {@code 0x00000801}): {@code count} unsigned bytes.
 * The label of item {@code i} is {@code labels[i] & 0xFF}.
 */
public record IdxLabels(int count, byte[] labels) {

    public IdxLabels {
        if (count != labels.length) throw new IllegalArgumentException(count + " labels expected, got " + labels.length);
    }

    /** The label of item {@code i}, 0..255. */
    public int label(int i) {
        return labels[i] & 0xFF;
    }

    @Override
    public String toString() {
        return "IdxLabels[" + count + "]";
    }
}
