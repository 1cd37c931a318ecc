package dev.toylora.model;

import dev.toylora.api.AdapterSet;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.RowGroup;
import dev.toylora.api.Tensor;
import dev.toylora.model.kernel.Kernels;
import dev.toylora.model.kernel.Matrix;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The adapters a network serves in batches ({@link Mlp#logits(dev.toylora.api.Batch, List, float[])}): each adapter's
 * tensors copied into engine storage once, kept by the identity of its {@link AdapterSet.Entry} (entries are immutable,
 * and a content key would hash every tensor per request), at most {@value #KEPT}, the least recently used dropped first.
 */
final class ServedAdapters {
    private static final int KEPT = 64;

    private final Mlp network;
    private final Kernels kernels;
    private final List<AdapterSet.Entry> keys = new ArrayList<>();
    private final List<Served> values = new ArrayList<>();

    ServedAdapters(Mlp network) {
        this.network = network;
        this.kernels = network.kernels();
    }

    /** One adapter in engine storage: by layer, A, B and the trained bias (null where it has none). */
    private final class Served {
        final @Nullable Matrix[] a;
        final @Nullable Matrix[] b;
        final float @Nullable [][] bias;
        final double scale;

        Served(AdapterSet.Entry entry) {
            List<LoraLinear> layers = network.linearLayers();
            LoraSpec spec = entry.spec();
            spec.validateAgainst(network.spec());
            this.a = new Matrix[layers.size()];
            this.b = new Matrix[layers.size()];
            this.bias = new float[layers.size()][];
            this.scale = spec.scaling();
            for (String target : spec.targets()) {
                int l = network.spec().layerNames().indexOf(target);
                a[l] = matrix(entry, LoraSpec.nameOfA(target), spec.rank(), layers.get(l).inputs());
                b[l] = matrix(entry, LoraSpec.nameOfB(target), layers.get(l).outputs(), spec.rank());
                Tensor trained = entry.weights().get(target + ".bias");
                if (spec.trainBias() && trained != null) bias[l] = trained.data().clone();
            }
        }

        private Matrix matrix(AdapterSet.Entry entry, String name, int rows, int columns) {
            Tensor tensor = entry.weights().get(name);
            if (tensor == null || tensor.size() != (long) rows * columns) {
                throw new IllegalArgumentException("adapter '" + entry.name() + "' lacks " + name + " [" + rows + ", " + columns + "]");
            }
            Matrix m = kernels.zeros(rows, columns);
            kernels.write(m, tensor.data(), 0);
            return m;
        }
    }

    private Served get(AdapterSet.Entry entry) {
        for (int i = 0; i < keys.size(); i++) {
            if (keys.get(i) == entry) {
                Served found = values.remove(i);
                keys.remove(i);
                keys.add(entry);
                values.add(found);
                return found;
            }
        }
        Served made = new Served(entry);
        if (keys.size() == KEPT) {
            keys.remove(0);
            values.remove(0);
        }
        keys.add(entry);
        values.add(made);
        return made;
    }

    /** Each layer's branches for rows {@code [first, first + rows)} of a batch, their rows counted from {@code first}. */
    List<List<LoraLinear.RowBranch>> rowBranches(List<RowGroup> groups, int first, int rows) {
        int layerCount = network.linearLayers().size();
        List<List<LoraLinear.RowBranch>> byLayer = new ArrayList<>();
        for (int l = 0; l < layerCount; l++) byLayer.add(new ArrayList<>());
        for (RowGroup group : groups) {
            int from = Math.max(group.firstRow(), first);
            int to = Math.min(group.firstRow() + group.rows(), first + rows);
            if (from >= to) continue;
            for (RowGroup.Weighted weighted : group.adapters()) {
                Served served = get(weighted.adapter());
                for (int l = 0; l < layerCount; l++) {
                    Matrix a = served.a[l];
                    Matrix b = served.b[l];
                    if (a == null || b == null) continue;
                    float[] trained = served.bias[l];
                    float[] delta = trained != null ? biasDelta(l, trained, weighted.weight()) : null;
                    byLayer.get(l).add(new LoraLinear.RowBranch(from - first, to - from, a, b, (float) (weighted.weight() * served.scale), delta));
                }
            }
        }
        return byLayer;
    }

    /** w·(an adapter's trained bias − the base's) on layer l: what it adds to the base's bias. */
    private float[] biasDelta(int layer, float[] adapterBias, double weight) {
        float[] base = new float[adapterBias.length];
        kernels.read(network.linearLayers().get(layer).bias.values(), base);
        float[] delta = new float[base.length];
        for (int j = 0; j < delta.length; j++) delta[j] = (float) (weight * ((double) adapterBias[j] - base[j]));
        return delta;
    }

    /** Groups must lie within the batch and not overlap. */
    static void checkGroups(List<RowGroup> groups, int rows) {
        List<RowGroup> sorted = new ArrayList<>(groups);
        sorted.sort(Comparator.comparingInt(RowGroup::firstRow));
        int end = 0;
        for (RowGroup group : sorted) {
            if (group.firstRow() + group.rows() > rows) {
                throw new IllegalArgumentException("row group [" + group.firstRow() + ", " + (group.firstRow() + group.rows()) + ") reaches past the batch's " + rows + " rows");
            }
            if (group.firstRow() < end) throw new IllegalArgumentException("row groups overlap at row " + group.firstRow());
            end = group.firstRow() + group.rows();
        }
    }
}
