package dev.toylora.engine.openblas;

import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * Batch buffers by row count. A training run sees one or two sizes (full batches and a shorter last
 * one), so after the first epoch nothing is allocated; a few sizes are kept, more are dropped.
 */
final class BufferCache {
    private static final int MAX_SIZES = 4;

    private final IntFunction<BatchBuffers> factory;
    private final Map<Integer, BatchBuffers> bySize = new HashMap<>();
    private @Nullable BatchBuffers last;

    BufferCache(IntFunction<BatchBuffers> factory) {
        this.factory = factory;
    }

    BatchBuffers forRows(int rows) {
        BatchBuffers buffers = last;
        if (buffers != null && buffers.rows == rows) return buffers;
        buffers = bySize.get(rows);
        if (buffers == null) {
            if (bySize.size() >= MAX_SIZES) bySize.clear();
            buffers = factory.apply(rows);
            bySize.put(rows, buffers);
        }
        last = buffers;
        return buffers;
    }

    void clear() {
        bySize.clear();
        last = null;
    }
}
