package dev.toylora.model;

import dev.toylora.api.AdapterSet;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.RowGroup;
import dev.toylora.api.Tensor;
import dev.toylora.model.kernel.Kernels;
import dev.toylora.model.kernel.Matrix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The adapters a network serves in batches ({@link Mlp#logits(dev.toylora.api.Batch, List, float[])}), stacked per layer
 * so that one batch's adapters cost two products per layer whatever their number ({@link LoraLinear.StackedBranches}).
 * An adapter is known by the identity of its {@link AdapterSet.Entry} (entries are immutable, and a content key would
 * hash every tensor per request); the stacks of the sets of adapters batches ask for are kept, at most {@value #KEPT}
 * sets, the least recently used dropped first.
 */
final class ServedAdapters {
    private static final int KEPT = 32;

    private final Mlp network;
    private final Kernels kernels;
    /**
     * Every adapter seen, by identity (an entry is a record: its own hash code would hash every tensor), with the serial
     * that orders it in a stack; dropped with the last stack that holds it.
     */
    private final Map<AdapterSet.Entry, Served> known = new IdentityHashMap<>();
    /** Stacks by the serials of their adapters, in access order. */
    private final Map<List<Long>, Stack> stacks = new LinkedHashMap<>(16, 0.75f, true);
    private long nextSerial;

    ServedAdapters(Mlp network) {
        this.network = network;
        this.kernels = network.kernels();
    }

    /** One adapter on the host, by layer: A (r × in), B (out × r), its bias minus the base's (null where it has none), s. */
    private final class Served {
        final long serial = nextSerial++;
        final float @Nullable [][] a;
        final float @Nullable [][] b;
        final float @Nullable [][] biasDelta;
        final int rank;
        final double scale;

        Served(AdapterSet.Entry entry) {
            List<LoraLinear> layers = network.linearLayers();
            LoraSpec spec = entry.spec();
            spec.validateAgainst(network.spec());
            this.a = new float[layers.size()][];
            this.b = new float[layers.size()][];
            this.biasDelta = new float[layers.size()][];
            this.rank = spec.rank();
            this.scale = spec.scaling();
            for (String target : spec.targets()) {
                int l = network.spec().layerNames().indexOf(target);
                a[l] = values(entry, LoraSpec.nameOfA(target), (long) rank * layers.get(l).inputs());
                b[l] = values(entry, LoraSpec.nameOfB(target), (long) layers.get(l).outputs() * rank);
                Tensor trained = entry.weights().get(target + ".bias");
                if (spec.trainBias() && trained != null) biasDelta[l] = minusBase(l, trained.data());
            }
        }

        private static float[] values(AdapterSet.Entry entry, String name, long size) {
            Tensor tensor = entry.weights().get(name);
            if (tensor == null || tensor.size() != size) {
                throw new IllegalArgumentException("adapter '" + entry.name() + "' lacks " + name + " of " + size + " values");
            }
            return tensor.data();
        }

        /** An adapter's trained bias − the base's on layer l: what it adds to the base's bias. */
        private float[] minusBase(int layer, float[] adapterBias) {
            float[] base = new float[adapterBias.length];
            kernels.read(network.linearLayers().get(layer).bias.values(), base);
            float[] delta = new float[base.length];
            for (int j = 0; j < delta.length; j++) delta[j] = (float) ((double) adapterBias[j] - base[j]);
            return delta;
        }
    }

    /**
     * A set of adapters stacked, by layer: in engine storage {@code [A₁; A₂; …]} and {@code [B₁ B₂ … Δb₁ Δb₂ …]}, and on
     * the host where each adapter's columns start (-1 on a layer it does not adapt) and its bias column (-1: none).
     */
    private final class Stack {
        final List<Served> adapters;
        final @Nullable Matrix[] a;
        final @Nullable Matrix[] b;
        final int[][] firstColumn;
        final int[][] biasColumn;
        final int[] rank;

        Stack(List<Served> adapters) {
            this.adapters = adapters;
            List<LoraLinear> layers = network.linearLayers();
            int layerCount = layers.size();
            a = new Matrix[layerCount];
            b = new Matrix[layerCount];
            firstColumn = new int[layerCount][adapters.size()];
            biasColumn = new int[layerCount][adapters.size()];
            rank = new int[layerCount];
            for (int l = 0; l < layerCount; l++) {
                int in = layers.get(l).inputs();
                int out = layers.get(l).outputs();
                int k = 0;
                for (int j = 0; j < adapters.size(); j++) {
                    firstColumn[l][j] = adapters.get(j).a[l] != null ? k : -1;
                    if (adapters.get(j).a[l] != null) k += adapters.get(j).rank;
                }
                int width = k;
                for (int j = 0; j < adapters.size(); j++) biasColumn[l][j] = adapters.get(j).biasDelta[l] != null ? width++ : -1;
                rank[l] = k;
                if (k == 0) continue; // bias changes come only with a layer's A and B, so no adapter touches this layer
                float[] stackedA = new float[k * in];
                float[] stackedB = new float[out * width];
                for (int j = 0; j < adapters.size(); j++) {
                    Served s = adapters.get(j);
                    float[] aj = s.a[l];
                    float[] bj = s.b[l];
                    if (aj != null && bj != null) {
                        int first = firstColumn[l][j];
                        System.arraycopy(aj, 0, stackedA, first * in, aj.length);
                        for (int o = 0; o < out; o++) System.arraycopy(bj, o * s.rank, stackedB, o * width + first, s.rank);
                    }
                    float[] delta = s.biasDelta[l];
                    if (delta != null) {
                        for (int o = 0; o < out; o++) stackedB[o * width + biasColumn[l][j]] = delta[o];
                    }
                }
                a[l] = matrix(k, in, stackedA);
                b[l] = matrix(out, width, stackedB);
            }
        }

        private Matrix matrix(int rows, int columns, float[] values) {
            Matrix m = kernels.zeros(rows, columns);
            kernels.write(m, values, 0);
            return m;
        }

        void release() {
            for (Matrix m : a) if (m != null) kernels.release(m);
            for (Matrix m : b) if (m != null) kernels.release(m);
        }
    }

    private Served served(AdapterSet.Entry entry) {
        Served found = known.get(entry);
        if (found == null) {
            found = new Served(entry);
            known.put(entry, found);
        }
        return found;
    }

    private Stack stack(List<Served> adapters) {
        List<Long> key = adapters.stream().map(s -> s.serial).toList();
        Stack found = stacks.get(key);
        if (found != null) return found;
        if (stacks.size() == KEPT) {
            var eldest = stacks.entrySet().iterator();
            eldest.next().getValue().release();
            eldest.remove();
            known.values().removeIf(s -> stacks.values().stream().noneMatch(st -> st.adapters.contains(s)) && !adapters.contains(s));
        }
        Stack made = new Stack(adapters);
        stacks.put(key, made);
        return made;
    }

    /**
     * Each layer's branches for rows {@code [first, first + rows)} of a batch (null on a layer no row adapts): the stack of
     * the adapters these rows use, and per row the coefficient of every stacked column — w·s on the rank columns of an
     * adapter the row runs with, w on its bias column, 0 elsewhere (a row of the base is all zeros).
     */
    List<LoraLinear.@Nullable StackedBranches> rowBranches(List<RowGroup> groups, int first, int rows) {
        List<Served> used = new ArrayList<>();
        for (RowGroup group : groups) {
            if (!overlaps(group, first, rows)) continue;
            for (RowGroup.Weighted weighted : group.adapters()) {
                Served s = served(weighted.adapter());
                if (!used.contains(s)) used.add(s);
            }
        }
        int layerCount = network.linearLayers().size();
        List<LoraLinear.@Nullable StackedBranches> byLayer = new ArrayList<>();
        if (used.isEmpty()) {
            for (int l = 0; l < layerCount; l++) byLayer.add(null);
            return byLayer;
        }
        used.sort(Comparator.comparingLong(s -> s.serial));
        Stack stack = stack(used);
        for (int l = 0; l < layerCount; l++) {
            Matrix b = stack.b[l];
            Matrix a = stack.a[l];
            if (a == null || b == null) {
                byLayer.add(null);
                continue;
            }
            int width = b.columns();
            float[] coefficients = new float[rows * width];
            for (RowGroup group : groups) {
                if (!overlaps(group, first, rows)) continue;
                int from = Math.max(group.firstRow(), first) - first;
                int to = Math.min(group.firstRow() + group.rows(), first + rows) - first;
                for (RowGroup.Weighted weighted : group.adapters()) {
                    int j = stack.adapters.indexOf(known.get(weighted.adapter()));
                    Served s = stack.adapters.get(j);
                    int column = stack.firstColumn[l][j];
                    int biasColumn = stack.biasColumn[l][j];
                    float ws = (float) (weighted.weight() * s.scale);
                    float w = (float) weighted.weight();
                    for (int i = from; i < to; i++) {
                        if (column >= 0) Arrays.fill(coefficients, i * width + column, i * width + column + s.rank, ws);
                        if (biasColumn >= 0) coefficients[i * width + biasColumn] = w;
                    }
                }
            }
            byLayer.add(new LoraLinear.StackedBranches(a, stack.rank[l], b, coefficients));
        }
        return byLayer;
    }

    private static boolean overlaps(RowGroup group, int first, int rows) {
        return Math.max(group.firstRow(), first) < Math.min(group.firstRow() + group.rows(), first + rows);
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
