package dev.toylora.model;

import dev.toylora.api.Adapter;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A LoRA adapter: the branches it added to its target layers ({@link LoraLinear.Lora}), and the rules around them —
 * merge and unmerge in turn, no loading while merged, nothing after detaching.
 */
final class LoraAdapter implements Adapter {
    private final LoraSpec spec;
    private final NetworkSpec networkSpec;
    /** In the order of the spec's targets: the order of {@link #weights()} and of A's draws. */
    private final List<LoraLinear.Lora> branches;
    private boolean merged;
    private boolean attached = true;

    /** Adds a branch to each target, every A drawn from one stream of {@code seed}, target after target. */
    LoraAdapter(LoraSpec spec, NetworkSpec networkSpec, List<LoraLinear> layers, long seed) {
        spec.validateAgainst(networkSpec);
        this.spec = spec;
        this.networkSpec = networkSpec;
        SplittableRandom random = new SplittableRandom(seed);
        List<LoraLinear.Lora> made = new ArrayList<>();
        for (String target : spec.targets()) {
            made.add(layers.get(networkSpec.layerNames().indexOf(target)).attach(spec, random));
        }
        this.branches = List.copyOf(made);
    }

    @Override
    public LoraSpec spec() {
        return spec;
    }

    @Override
    public long trainableParameters() {
        return spec.trainableParameters(networkSpec);
    }

    @Override
    public void merge() {
        requireAttached("merge");
        if (merged) throw new IllegalStateException("the adapter is already merged into the base weights");
        for (LoraLinear.Lora branch : branches) branch.merge();
        merged = true;
    }

    @Override
    public void unmerge() {
        requireAttached("unmerge");
        if (!merged) throw new IllegalStateException("the adapter is not merged; nothing to unmerge");
        for (LoraLinear.Lora branch : branches) branch.unmerge();
        merged = false;
    }

    @Override
    public boolean merged() {
        return merged;
    }

    @Override
    public Map<String, Tensor> weights() {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        for (Parameter parameter : parameters()) weights.put(parameter.name(), parameter.snapshot());
        return weights;
    }

    @Override
    public void load(Map<String, Tensor> weights) {
        requireAttached("load weights into");
        if (merged) throw new IllegalStateException("cannot load adapter weights while merged; unmerge() first");
        List<Parameter> parameters = parameters();
        Map<String, int[]> expected = new LinkedHashMap<>();
        for (Parameter parameter : parameters) expected.put(parameter.name(), parameter.shape());
        NamedTensors.checkNamesAndShapes("a LoRA adapter of rank " + spec.rank() + " on " + spec.targets(), expected, weights);
        for (Parameter parameter : parameters) parameter.load(weights.get(parameter.name()));
    }

    /** What this adapter trains, live: A and B of every target (and its bias when the spec trains biases). */
    List<Parameter> parameters() {
        List<Parameter> parameters = new ArrayList<>();
        for (LoraLinear.Lora branch : branches) {
            parameters.add(branch.a);
            parameters.add(branch.b);
            if (spec.trainBias()) parameters.add(branch.trainedBias());
        }
        return parameters;
    }

    /** Unmerges if merged and gives the adapted layers their original biases back (keeping the trained ones in {@link #weights()}). */
    void detach() {
        for (LoraLinear.Lora branch : branches) branch.detach();
        merged = false;
        attached = false;
    }

    private void requireAttached(String action) {
        if (!attached) throw new IllegalStateException("cannot " + action + " an adapter that has been detached");
    }

    @Override
    public String toString() {
        return "LoRA r=" + spec.rank() + " on " + spec.targets() + (merged ? " (merged)" : "");
    }
}
