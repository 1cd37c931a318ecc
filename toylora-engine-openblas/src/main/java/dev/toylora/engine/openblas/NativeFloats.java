package dev.toylora.engine.openblas;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.jspecify.annotations.Nullable;

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
    /** How many times it was written through this object (not by a product, not by {@link #writeUncounted}); see {@link Adam}. */
    private int changes;
    /** Where a view starts in the array it views (0 otherwise). */
    private final int offset;
    /** The views made by {@link #from}, kept so that a step's products make none (a matrix is used at one or two offsets). */
    private final @Nullable NativeFloats[] views = new NativeFloats[4];

    private NativeFloats(int length) {
        this.length = length;
        this.offset = 0;
        this.pointer = new FloatPointer(Math.max(length, 1));
        pointer.zero();
        this.buffer = pointer.asBuffer();
    }

    /** A view: values {@code [from, from + length)} of {@code whole}, sharing its memory (and keeping it alive). */
    private NativeFloats(NativeFloats whole, int from, int length) {
        this.length = length;
        this.offset = from;
        this.pointer = new FloatPointer(whole.pointer);
        pointer.position(from).limit(from + Math.max(length, 1));
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

    /**
     * Values {@code [from, from + length)} as an array of their own that shares this one's memory: a half of a batch's
     * rows, or a product's operand that starts inside a matrix (the rest of the matrix beyond its length is still read
     * when a product's leading dimension says so).
     */
    NativeFloats view(int from, int length) {
        if (from < 0 || length < 0 || from + length > this.length) {
            throw new IllegalArgumentException("view [" + from + ", " + (from + length) + ") of " + this.length + " values");
        }
        return new NativeFloats(this, from, length);
    }

    /**
     * The values from {@code offset} on, sharing this memory: where a product's operand starts inside a matrix (a block of
     * its columns, read with the matrix's own row length). Made once per offset and kept.
     */
    NativeFloats from(int offset) {
        if (offset == 0) return this;
        for (NativeFloats kept : views) {
            if (kept != null && kept.offset == offset) return kept;
        }
        NativeFloats made = view(offset, length - offset);
        // Two threads racing here only make two equal views; a view's fields are final, so it is safely published.
        for (int i = 0; i < views.length; i++) {
            if (views[i] == null) {
                views[i] = made;
                break;
            }
        }
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
        changes++;
    }

    /** Copies {@code count} values from {@code index} on into {@code dest[offset …]}. */
    void read(int index, float[] dest, int offset, int count) {
        buffer.get(index, dest, offset, count);
    }

    /** Copies {@code count} values of {@code src[offset …]} into this, from {@code index} on. */
    void write(int index, float[] src, int offset, int count) {
        buffer.put(index, src, offset, count);
        changes++;
    }

    /** As {@link #write}, for a writer that keeps its own copy of what it wrote (Adam): not counted in {@link #changes}. */
    void writeUncounted(int index, float[] src, int offset, int count) {
        buffer.put(index, src, offset, count);
    }

    /** Counts the writes through this object other than {@link #writeUncounted}: a copy of the values is stale when it changed. */
    int changes() {
        return changes;
    }

    void copyFrom(float[] values) {
        checkLength(values.length);
        write(0, values, 0, length);
    }

    void copyFrom(NativeFloats other) {
        checkLength(other.length);
        buffer.put(0, other.buffer, 0, length);
        changes++;
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
