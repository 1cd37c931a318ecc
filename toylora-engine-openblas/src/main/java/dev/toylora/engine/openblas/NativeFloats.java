package dev.toylora.engine.openblas;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * A float array in native memory, handed to OpenBLAS as a pointer. JavaCPP's {@code float[]} overloads copy every
 * array into native memory and back on each call (16.7% of a training run's CPU time, profiled: the weights went
 * back and forth twice per product), so every matrix a product touches lives here instead. Java code reads and
 * writes it through a direct {@link FloatBuffer}, in chunks copied to and from small arrays where a loop should be
 * vectorised. Freed by JavaCPP when unreachable.
 */
final class NativeFloats {
    private final FloatPointer pointer;
    private final FloatBuffer buffer;
    private final int length;

    private NativeFloats(int length) {
        this.length = length;
        this.pointer = new FloatPointer(Math.max(length, 1));
        pointer.zero();
        this.buffer = pointer.asBuffer();
    }

    /** {@code length} zeros. */
    static NativeFloats zeros(int length) {
        if (length < 0) throw new IllegalArgumentException("length must be >= 0, got " + length);
        return new NativeFloats(length);
    }

    static NativeFloats of(float[] values) {
        NativeFloats made = zeros(values.length);
        made.copyFrom(values);
        return made;
    }

    int length() {
        return length;
    }

    FloatPointer pointer() {
        return pointer;
    }

    /** The values, for element-wise loops ({@code get(i)}, {@code put(i, v)}); do not change its position or limit. */
    FloatBuffer buffer() {
        return buffer;
    }

    float get(int index) {
        return buffer.get(index);
    }

    void set(int index, float value) {
        buffer.put(index, value);
    }

    /** Copies {@code count} values from {@code index} on into {@code dest[offset …]}. */
    void read(int index, float[] dest, int offset, int count) {
        buffer.get(index, dest, offset, count);
    }

    /** Copies {@code count} values of {@code src[offset …]} into this, from {@code index} on. */
    void write(int index, float[] src, int offset, int count) {
        buffer.put(index, src, offset, count);
    }

    void copyFrom(float[] values) {
        checkLength(values.length);
        write(0, values, 0, length);
    }

    void copyFrom(NativeFloats other) {
        checkLength(other.length);
        buffer.put(0, other.buffer, 0, length);
    }

    float[] toArray() {
        float[] copy = new float[length];
        read(0, copy, 0, length);
        return copy;
    }

    NativeFloats copy() {
        NativeFloats made = zeros(length);
        made.copyFrom(this);
        return made;
    }

    private void checkLength(int other) {
        if (other != length) throw new IllegalArgumentException("expected " + length + " values, got " + other);
    }
}
