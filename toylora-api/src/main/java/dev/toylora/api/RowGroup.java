package dev.toylora.api;

import java.util.List;

/**
 * Rows {@code [firstRow, firstRow + rows)} of a batch and the adapters they run with, each with a weight: none is the
 * base, one with weight 1 is that adapter alone, several are the weighted sum of their updates (PEFT's "cat").
 * See {@link Network#logits(Batch, List, float[])}.
 */
public record RowGroup(int firstRow, int rows, List<Weighted> adapters) {

    /** One adapter of a group: its spec and tensors (as {@link AdapterSet.Entry} holds them) and its weight. */
    public record Weighted(AdapterSet.Entry adapter, double weight) {
        public Weighted {
            if (!Double.isFinite(weight)) throw new IllegalArgumentException("the weight of adapter '" + adapter.name() + "' is " + weight + ", expected a finite number");
        }
    }

    public RowGroup {
        adapters = List.copyOf(adapters);
        if (firstRow < 0 || rows < 1) throw new IllegalArgumentException("a row group needs firstRow >= 0 and rows >= 1, got " + firstRow + " and " + rows);
    }
}
