package dev.toylora.model;

import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * Batch buffers by row count. A training run sees one or two sizes (full batches and a shorter last
 * one), so after the first epoch nothing is allocated; a few sizes are kept, more are dropped.
 *
 * @param <B> an engine's set of batch-sized buffers
 */
public final class BufferCache<B> {
    private static final int MAX_SIZES = 4;

    private final IntFunction<B> factory;
    private final Map<Integer, B> bySize = new HashMap<>();
    private @Nullable B last;
    private int lastRows = -1;

    public BufferCache(IntFunction<B> factory) {
        this.factory = factory;
    }

    public B forRows(int rows) {
        B buffers = last;
        if (buffers != null && lastRows == rows) return buffers;
        buffers = bySize.get(rows);
        if (buffers == null) {
            if (bySize.size() >= MAX_SIZES) bySize.clear();
            buffers = factory.apply(rows);
            bySize.put(rows, buffers);
        }
        last = buffers;
        lastRows = rows;
        return buffers;
    }

    public void clear() {
        bySize.clear();
        last = null;
        lastRows = -1;
    }
}
