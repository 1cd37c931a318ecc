package dev.toylora.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Several LoRA adapters on one base {@link Network}, by name, as PEFT keeps them: {@link #add} them, {@link #use}
 * one, {@link #disable} them all (the base), and {@link #addWeighted combine} them into a new one
 * (PEFT's {@code add_weighted_adapter}).
 *
 * <p>A network holds one adapter at a time, so the set keeps every adapter's tensors itself and {@link #use}
 * attaches the chosen one afresh: its logits are then exactly those of that adapter attached alone, and
 * {@link #disable} gives the base back bit for bit. The set owns the network's adapter slot: attach or detach
 * on the network directly and {@link #active()} no longer tells the truth. Training the attached adapter does
 * not change what the set stores; {@link #add} its {@link Adapter#weights()} under a name to keep the result.
 *
 * <pre>{@code
 * AdapterSet adapters = new AdapterSet(network);              // network: the base, no adapter attached
 * adapters.add("eight", spec8, weights8);                     // PEFT names: fc1.lora_A.weight [r, in], …
 * adapters.add("nine", spec9, weights9);
 * adapters.use("eight");                                      // the network now computes base + eight
 * adapters.addWeighted("both", Map.of("eight", 1.0, "nine", 1.0), AdapterSet.Combination.CAT);
 * adapters.use("both");                                       // base + eight's delta + nine's delta
 * adapters.disable();                                         // the base, bit for bit
 * }</pre>
 */
public final class AdapterSet {

    /** How {@link #addWeighted} combines adapters (PEFT's {@code combination_type}). */
    public enum Combination {
        /**
         * PEFT's {@code "linear"}: all adapters must have one rank r; with {@code c_i = √(w_i·s_i)} the new adapter
         * is {@code A = Σ c_i·A_i}, {@code B = Σ c_i·B_i}, rank r, alpha r (scaling 1). This is <em>not</em> the
         * weighted sum of the adapters' updates: {@code B·A = Σ_i Σ_j c_i·c_j·B_i·A_j} carries the cross terms
         * {@code i ≠ j}, which mean nothing unless the adapters share a basis (e.g. one was trained from the other).
         * Only for a single adapter does it equal {@code w·s·B·A}. Weights must be ≥ 0 (a square root is taken).
         */
        LINEAR,
        /**
         * PEFT's {@code "cat"}: A's stacked along the rank ({@code w_i·s_i·A_i}) and B's side by side, rank Σ r_i,
         * alpha Σ r_i (scaling 1), so {@code B·A = Σ_i w_i·s_i·B_i·A_i}: exactly the weighted sum of the updates.
         * Weights may be negative (subtracting an adapter).
         */
        CAT
    }

    /**
     * One adapter of the set.
     *
     * @param weights its tensors, PEFT-named, in the engine's order (per target: {@code lora_A}, {@code lora_B},
     *                and {@code bias} when {@link LoraSpec#trainBias()}); unmodifiable, never changed by the set
     */
    public record Entry(String name, LoraSpec spec, Map<String, Tensor> weights) {
        public Entry {
            weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
        }
    }

    private final Network network;
    /** The base's biases by layer, taken when no adapter was attached: an adapter that trains biases replaces them. */
    private final Map<String, Tensor> baseBiases = new LinkedHashMap<>();
    private final Map<String, Entry> adapters = new LinkedHashMap<>();
    private @Nullable String active;

    /** A set over {@code network}, which must have no adapter attached (the set needs the base's own biases). */
    public AdapterSet(Network network) {
        if (network.adapter().isPresent()) {
            throw new IllegalStateException("the network has an adapter attached; detach it first (and add its weights() to the set by name)");
        }
        this.network = network;
        Map<String, Tensor> base = network.weights();
        for (NetworkSpec.LayerShape layer : network.spec().layerShapes()) {
            String name = layer.name() + ".bias";
            Tensor bias = base.get(name);
            if (bias == null) throw new IllegalStateException("the network's weights() lack " + name);
            baseBiases.put(layer.name(), bias);
        }
    }

    /**
     * Adds an adapter under a new name, checking its tensors against the spec and the network: every expected
     * tensor present with its shape, none other, every value finite. Does not attach it (see {@link #use}).
     */
    public Entry add(String name, LoraSpec spec, Map<String, Tensor> weights) {
        requireNewName(name);
        try {
            spec.validateAgainst(network.spec());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("adapter '" + name + "': " + e.getMessage(), e);
        }
        Map<String, int[]> expected = expectedShapes(spec);
        Map<String, Tensor> ordered = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            Tensor tensor = weights.get(e.getKey());
            if (tensor == null) {
                throw new IllegalArgumentException("adapter '" + name + "' lacks tensor " + e.getKey() + " " + Arrays.toString(e.getValue())
                        + " (" + describe(spec) + " has " + expected.keySet() + ")");
            }
            if (!Arrays.equals(tensor.shape(), e.getValue())) {
                throw new IllegalArgumentException("adapter '" + name + "': tensor " + e.getKey() + " has shape " + Arrays.toString(tensor.shape())
                        + ", expected " + Arrays.toString(e.getValue()) + " for " + describe(spec));
            }
            float[] data = tensor.data();
            for (int i = 0; i < data.length; i++) {
                if (!Float.isFinite(data[i])) {
                    throw new IllegalArgumentException("adapter '" + name + "': tensor " + e.getKey() + " holds " + data[i] + " at index " + i);
                }
            }
            ordered.put(e.getKey(), tensor.copy()); // a copy: the caller's arrays may change later
        }
        for (String given : weights.keySet()) {
            if (!expected.containsKey(given)) {
                throw new IllegalArgumentException("adapter '" + name + "' has tensor " + given + ", which " + describe(spec)
                        + " does not (expected " + expected.keySet() + ")");
            }
        }
        Entry entry = new Entry(name, spec, ordered);
        adapters.put(name, entry);
        return entry;
    }

    /** Rows of a batch and the adapters, by name with a weight each, they run with; an empty mix is the base. */
    public record Rows(int firstRow, int rows, Map<String, Double> mix) {
        public Rows {
            mix = Collections.unmodifiableMap(new LinkedHashMap<>(mix));
        }
    }

    /**
     * Logits of a batch whose rows ask for different adapters of the set (or mixes of them, or the base), computed in
     * one pass: see {@link Network#logits(Batch, List, float[])}. Detaches the active adapter first: the base is shared.
     */
    public void logits(Batch batch, List<Rows> rows, float[] out) {
        List<RowGroup> groups = new ArrayList<>();
        for (Rows r : rows) {
            List<RowGroup.Weighted> weighted = new ArrayList<>();
            r.mix().forEach((name, weight) -> weighted.add(new RowGroup.Weighted(require(name), weight)));
            groups.add(new RowGroup(r.firstRow(), r.rows(), weighted));
        }
        disable();
        network.logits(batch, groups, out);
    }

    /** The adapters' names, in the order they were added. */
    public List<String> names() {
        return List.copyOf(adapters.keySet());
    }

    /** The adapter of that name. */
    public Entry get(String name) {
        return require(name);
    }

    /**
     * Makes {@code name} the active adapter: detaches whatever is attached, attaches this one and loads its tensors,
     * so the logits are exactly those of the base with this adapter alone (its merge state starts unmerged).
     */
    public Adapter use(String name) {
        Entry entry = require(name);
        disable();
        Adapter adapter = network.attach(entry.spec(), 0); // A's random draw is replaced by load()
        try {
            adapter.load(entry.weights());
        } catch (RuntimeException e) {
            network.detach();
            throw e;
        }
        active = name;
        return adapter;
    }

    /** Detaches the active adapter, if any: the network is the base again, bit for bit. */
    public void disable() {
        if (network.adapter().isPresent()) network.detach();
        active = null;
    }

    /** The adapter {@link #use} attached, empty when the base is running. */
    public Optional<String> active() {
        return network.adapter().isPresent() ? Optional.ofNullable(active) : Optional.empty();
    }

    /** Forgets an adapter; if it is the active one, the network becomes the base. */
    public void remove(String name) {
        require(name);
        if (name.equals(active)) disable();
        adapters.remove(name);
    }

    /**
     * Adds a new adapter combining existing ones with weights, as PEFT's {@code add_weighted_adapter} does for
     * {@code combination_type} "linear" and "cat" (see {@link Combination}); it is not made active. The adapters are
     * taken in the order they were added to the set, whatever the order of {@code weights}.
     *
     * <p>The new adapter targets the union of their layers (an adapter contributes nothing to a layer it does not
     * target), has scaling 1 (alpha = its rank, no rsLoRA) and the dropout of the first. If any of them trains
     * biases, so does the new one, with {@code bias = base_bias + Σ w_i·(bias_i − base_bias)} per layer (an adapter
     * that does not train a layer's bias has {@code bias_i = base_bias}); PEFT has no per-adapter biases, so this
     * rule is ToyLoRA's: it is the weighted sum of the bias changes, matching {@link Combination#CAT}'s sum of
     * weight changes.
     *
     * @param weights adapter name → weight, at least one, every name in the set, every weight finite
     */
    public Entry addWeighted(String newName, Map<String, Double> weights, Combination mode) {
        requireNewName(newName);
        String what = mode.name() + " combination '" + newName + "'";
        if (weights.isEmpty()) throw new IllegalArgumentException(what + ": no adapters to combine; give at least one name with its weight");
        for (Map.Entry<String, Double> e : weights.entrySet()) {
            require(e.getKey());
            double w = e.getValue();
            if (!Double.isFinite(w)) throw new IllegalArgumentException(what + ": weight of '" + e.getKey() + "' is " + w + ", expected a finite number");
            // PEFT takes √(w·s): a negative weight has no real square root.
            if (mode == Combination.LINEAR && w < 0) {
                throw new IllegalArgumentException(what + ": weight of '" + e.getKey() + "' is " + w
                        + "; LINEAR takes its square root, so weights must be >= 0 (CAT allows negative ones)");
            }
        }
        List<Entry> parts = new ArrayList<>();
        for (Entry entry : adapters.values()) if (weights.containsKey(entry.name())) parts.add(entry);

        int rank;
        if (mode == Combination.LINEAR) {
            Set<Integer> ranks = new LinkedHashSet<>();
            for (Entry p : parts) ranks.add(p.spec().rank());
            if (ranks.size() > 1) {
                StringBuilder list = new StringBuilder();
                for (Entry p : parts) list.append(list.length() == 0 ? "" : ", ").append(p.name()).append(" r=").append(p.spec().rank());
                throw new IllegalArgumentException(what + ": LINEAR sums the A and B matrices entrywise, so every adapter needs the same rank; got "
                        + list + " (CAT combines different ranks)");
            }
            rank = parts.get(0).spec().rank();
        } else {
            rank = parts.stream().mapToInt(p -> p.spec().rank()).sum();
        }
        List<String> targets = new ArrayList<>();
        for (String layer : network.spec().layerNames()) {
            if (parts.stream().anyMatch(p -> p.spec().targets().contains(layer))) targets.add(layer);
        }
        boolean trainBias = parts.stream().anyMatch(p -> p.spec().trainBias());
        LoraSpec spec;
        try {
            spec = new LoraSpec(rank, rank, targets, trainBias, parts.get(0).spec().dropout(), false);
            spec.validateAgainst(network.spec());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": the combined adapter (rank " + rank + ") is not possible: " + e.getMessage(), e);
        }

        Map<String, Tensor> combined = new LinkedHashMap<>();
        for (NetworkSpec.LayerShape layer : network.spec().layerShapes()) {
            if (!targets.contains(layer.name())) continue;
            double[] a = new double[rank * layer.inputs()];
            double[] b = new double[layer.outputs() * rank];
            int offset = 0; // CAT: the rank rows of A (columns of B) where this adapter's block starts
            for (Entry p : parts) {
                int r = p.spec().rank();
                double w = weights.get(p.name());
                double s = p.spec().scaling();
                if (p.spec().targets().contains(layer.name())) {
                    float[] ai = p.weights().get(LoraSpec.nameOfA(layer.name())).data(); // [r, in]
                    float[] bi = p.weights().get(LoraSpec.nameOfB(layer.name())).data(); // [out, r]
                    if (mode == Combination.LINEAR) {
                        double c = Math.sqrt(w * s);
                        for (int k = 0; k < a.length; k++) a[k] += c * ai[k];
                        for (int k = 0; k < b.length; k++) b[k] += c * bi[k];
                    } else {
                        for (int row = 0; row < r; row++) {
                            for (int col = 0; col < layer.inputs(); col++) {
                                a[(offset + row) * layer.inputs() + col] = w * s * ai[row * layer.inputs() + col];
                            }
                        }
                        for (int row = 0; row < layer.outputs(); row++) {
                            for (int col = 0; col < r; col++) b[row * rank + offset + col] = bi[row * r + col];
                        }
                    }
                }
                offset += r; // a layer the adapter does not target keeps its block zero
            }
            combined.put(LoraSpec.nameOfA(layer.name()), new Tensor(LoraSpec.shapeOfA(rank, layer.inputs()), toFloat(a)));
            combined.put(LoraSpec.nameOfB(layer.name()), new Tensor(LoraSpec.shapeOfB(rank, layer.outputs()), toFloat(b)));
            if (trainBias) {
                float[] base = baseBiases.get(layer.name()).data();
                double[] bias = new double[base.length];
                for (int k = 0; k < base.length; k++) bias[k] = base[k];
                for (Entry p : parts) {
                    Tensor own = p.weights().get(layer.name() + ".bias");
                    if (own == null) continue; // this adapter left the layer's bias alone
                    double w = weights.get(p.name());
                    for (int k = 0; k < base.length; k++) bias[k] += w * ((double) own.data()[k] - base[k]);
                }
                combined.put(layer.name() + ".bias", new Tensor(new int[] {layer.outputs()}, toFloat(bias)));
            }
        }
        return add(newName, spec, combined);
    }

    /** The tensors an adapter of this spec has on this network, in the engines' order. */
    private Map<String, int[]> expectedShapes(LoraSpec spec) {
        Map<String, int[]> expected = new LinkedHashMap<>();
        for (String target : spec.targets()) {
            NetworkSpec.LayerShape layer = network.spec().layerShapes().stream().filter(l -> l.name().equals(target)).findFirst().orElseThrow();
            expected.put(LoraSpec.nameOfA(target), LoraSpec.shapeOfA(spec.rank(), layer.inputs()));
            expected.put(LoraSpec.nameOfB(target), LoraSpec.shapeOfB(spec.rank(), layer.outputs()));
            if (spec.trainBias()) expected.put(target + ".bias", new int[] {layer.outputs()});
        }
        return expected;
    }

    private static String describe(LoraSpec spec) {
        return "a rank-" + spec.rank() + " adapter on " + spec.targets() + (spec.trainBias() ? " with trained biases" : "");
    }

    private Entry require(String name) {
        Entry entry = adapters.get(name);
        if (entry == null) throw new IllegalArgumentException("no adapter named '" + name + "'; the set has " + adapters.keySet());
        return entry;
    }

    private void requireNewName(String name) {
        if (name.isBlank() || !name.strip().equals(name)) {
            throw new IllegalArgumentException("an adapter name must be non-empty, without surrounding spaces, got '" + name + "'");
        }
        if (adapters.containsKey(name)) throw new IllegalArgumentException("an adapter named '" + name + "' is already in the set; remove it first or pick another name");
    }

    private static float[] toFloat(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) out[i] = (float) values[i];
        return out;
    }
}
