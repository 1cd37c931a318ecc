package dev.toylora.api;

import java.util.Arrays;

/**
 * A dense float tensor in row-major order, the unit of exchange for weights between engines and
 * checkpoint files. Shapes follow PyTorch: a linear layer's weight is {@code [out, in]}, its bias
 * {@code [out]}; LoRA's A is {@code [r, in]} and B is {@code [out, r]} as in PEFT.
 *
 * <p>The record holds the array it is given; engines copy on the way in and out, so a tensor
 * handed out is a snapshot, never a view of live weights.
 */
public record Tensor(int[] shape, float[] data) {

    public Tensor {
        shape = shape.clone();
        long size = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor dimension must be >= 0, got shape " + Arrays.toString(shape));
            }
            size *= d;
        }
        if (size != data.length) {
            throw new IllegalArgumentException(
                    "tensor of shape " + Arrays.toString(shape) + " needs " + size + " values, got " + data.length);
        }
    }

    public static Tensor zeros(int... shape) {
        long size = 1;
        for (int d : shape) size *= d;
        return new Tensor(shape, new float[Math.toIntExact(size)]);
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return shape[i];
    }

    public long size() {
        return data.length;
    }

    /** Element {@code [row, column]} of a matrix. */
    public float get(int row, int column) {
        if (shape.length != 2) throw new IllegalStateException("get(row, column) needs a matrix, shape is " + Arrays.toString(shape));
        return data[row * shape[1] + column];
    }

    public Tensor copy() {
        return new Tensor(shape, data.clone());
    }

    /** Bit-for-bit equality of shape and values (records compare arrays by identity). */
    public boolean sameAs(Tensor other) {
        return Arrays.equals(shape, other.shape) && Arrays.equals(data, other.data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && sameAs(t);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
