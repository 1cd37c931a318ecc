package dev.toylora.nativekernels;

import dev.toylora.model.kernel.Matrix;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.jspecify.annotations.Nullable;

/**
 * A row-major float matrix in native memory, handed to the engine's sgemm as a pointer: JavaCPP's {@code float[]} overloads copy
 * every array into native memory and back on each call, so every matrix a product touches lives here. Java code reads
 * and writes it through a direct {@link FloatBuffer}, in chunks copied to and from heap arrays where a loop should be
 * vectorised. Freed by JavaCPP when unreachable, or at once by {@link #release}.
 *
 * <p>The values live in one of two places, chosen by first use and moved on the rare use of the other kind: native
 * memory (everything a product or an element-wise kernel touches), or heap arrays (Adam's moments, which only the
 * Adam kernel ever touches: they never need native memory, nor a copy each step). On the heap they are held in
 * {@link #HEAP_CHUNK}-value chunks, each indexed from 0 as Adam's copy of a chunk of the parameter and gradient is, so
 * that its loop over all four shares one index (which C2 needs to vectorise it). A matrix made by {@code zeros} has
 * neither until first used.
 */
final class NativeMatrix implements Matrix {
    private final int rows;
    private final int columns;
    private final int length;
    private @Nullable FloatPointer pointer;
    private @Nullable FloatBuffer buffer;
    /** How many values a chunk of the heap holds: Adam updates a chunk at a time, its four arrays well within L2. */
    static final int HEAP_CHUNK = 1 << 14;

    /** How many of the values [at, to) lie in the heap chunk value {@code at} is in. */
    static int inChunk(int at, int to) {
        return Math.min(to - at, HEAP_CHUNK - at % HEAP_CHUNK);
    }

    /** The values, when they live on the heap rather than in native memory: value i is {@code heap[i / HEAP_CHUNK][i % HEAP_CHUNK]}. */
    private float @Nullable [][] heap;
    /** Pointers into this matrix at an offset (where a product's half starts), made once per offset and kept. */
    private final @Nullable FloatPointer[] views = new FloatPointer[8];
    private final long[] viewOffsets = new long[8];
    private boolean released;

    NativeMatrix(int rows, int columns) {
        if (rows < 0 || columns < 0) throw new IllegalArgumentException("a matrix cannot be " + rows + " × " + columns);
        this.rows = rows;
        this.columns = columns;
        this.length = Math.multiplyExact(rows, columns);
    }

    static NativeMatrix of(int rows, int columns, float... values) {
        NativeMatrix made = new NativeMatrix(rows, columns);
        made.write(0, values, 0, made.length);
        return made;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int columns() {
        return columns;
    }

    int length() {
        return length;
    }

    /** The values in native memory, allocated (zeroed) on first use; call on the calling thread before splitting work. */
    FloatPointer pointer() {
        FloatPointer p = pointer;
        return p != null ? p : allocate();
    }

    private FloatPointer allocate() {
        if (released) throw new IllegalStateException("this matrix was released (its network closed)");
        FloatPointer p = new FloatPointer(Math.max(length, 1));
        p.zero();
        buffer = p.asBuffer();
        pointer = p;
        float[][] onHeap = heap;
        if (onHeap != null) {
            for (int c = 0; c < onHeap.length; c++) buffer().put(c * HEAP_CHUNK, onHeap[c], 0, onHeap[c].length);
            heap = null;
        }
        return p;
    }

    /** The values for element-wise access; do not change its position or limit. */
    FloatBuffer buffer() {
        FloatBuffer b = buffer;
        if (b == null) {
            pointer();
            b = buffer;
        }
        return java.util.Objects.requireNonNull(b);
    }

    /** A pointer to value {@code offset} on, sharing this memory (a product's operand or output that starts inside it). */
    FloatPointer pointerAt(long offset) {
        FloatPointer whole = pointer();
        if (offset == 0) return whole;
        for (int i = 0; i < views.length; i++) {
            FloatPointer view = views[i];
            if (view != null && viewOffsets[i] == offset) return view;
        }
        FloatPointer made = new FloatPointer(whole).position(offset);
        for (int i = 0; i < views.length; i++) {
            if (views[i] == null) {
                viewOffsets[i] = offset;
                views[i] = made;
                break;
            }
        }
        return made;
    }

    /**
     * The values as heap chunks (chunk c holds values [c·HEAP_CHUNK, …), the last one shorter), for a matrix only Adam
     * touches (its moments): moved off native memory if they were there. Call on the calling thread before splitting work.
     */
    float[][] heap() {
        float[][] onHeap = heap;
        if (onHeap != null) return onHeap;
        if (released) throw new IllegalStateException("this matrix was released (its network closed)");
        onHeap = new float[(length + HEAP_CHUNK - 1) / HEAP_CHUNK][];
        FloatBuffer b = buffer;
        for (int c = 0; c < onHeap.length; c++) {
            onHeap[c] = new float[Math.min(HEAP_CHUNK, length - c * HEAP_CHUNK)];
            if (b != null) b.get(c * HEAP_CHUNK, onHeap[c], 0, onHeap[c].length);
        }
        if (b != null) {
            pointer = null;
            buffer = null;
            java.util.Arrays.fill(views, null);
        }
        heap = onHeap;
        return onHeap;
    }

    float get(int index) {
        float[][] onHeap = heap;
        return onHeap != null ? onHeap[index / HEAP_CHUNK][index % HEAP_CHUNK] : buffer().get(index);
    }

    void set(int index, float value) {
        buffer().put(index, value);
    }

    /** Copies {@code count} values from {@code index} on into {@code target[offset …]}. */
    void read(int index, float[] target, int offset, int count) {
        float[][] onHeap = heap;
        if (onHeap != null) {
            for (int done = 0, n; done < count; done += n) {
                int at = index + done;
                n = inChunk(at, index + count);
                System.arraycopy(onHeap[at / HEAP_CHUNK], at % HEAP_CHUNK, target, offset + done, n);
            }
        } else {
            buffer().get(index, target, offset, count);
        }
    }

    /** Copies {@code count} values of {@code source[offset …]} in, from {@code index} on. */
    void write(int index, float[] source, int offset, int count) {
        buffer().put(index, source, offset, count);
    }

    void copyFrom(NativeMatrix other) {
        float[][] onHeap = other.heap;
        if (onHeap != null) {
            for (int c = 0; c < onHeap.length; c++) write(c * HEAP_CHUNK, onHeap[c], 0, onHeap[c].length);
        } else {
            buffer().put(0, other.buffer(), 0, length);
        }
    }

    /** Frees the native memory now rather than when collected; using the matrix afterwards is refused. */
    void release() {
        FloatPointer p = pointer;
        pointer = null;
        buffer = null;
        heap = null;
        java.util.Arrays.fill(views, null);
        released = true;
        if (p != null) p.close();
    }

    float[] toArray() {
        float[] copy = new float[length];
        read(0, copy, 0, length);
        return copy;
    }

    @Override
    public String toString() {
        return rows + " × " + columns + (heap != null ? " (heap)" : pointer != null ? " (native)" : " (zeros)");
    }
}
