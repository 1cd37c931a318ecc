package dev.toylora.engine.openblas;

import dev.toylora.api.Adapter;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.Tensor;
import dev.toylora.engine.common.NamedTensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * A LoRA adapter: one {@link LoraBranch} per target layer. Attaching trains the adapted layers' biases
 * in place when the spec says so; detaching restores them, so the base comes back bit for bit.
 */
final class LoraAdapter implements Adapter {
    private final LoraSpec spec;
    private final NetworkSpec networkSpec;
    /** In the order of the spec's targets (the order of {@link #weights()} and of A's random draws). */
    private final List<LoraBranch> branches;
    /** Indexed by layer; null where a layer is not adapted. */
    private final @Nullable LoraBranch[] branchByLayer;
    private boolean merged;
    private boolean attached = true;

    LoraAdapter(LoraSpec spec, NetworkSpec networkSpec, List<DenseLayer> layers, long seed) {
        spec.validateAgainst(networkSpec);
        this.spec = spec;
        this.networkSpec = networkSpec;
        this.branchByLayer = new LoraBranch[layers.size()];
        SplittableRandom random = new SplittableRandom(seed);
        List<LoraBranch> made = new ArrayList<>();
        for (String target : spec.targets()) {
            int index = networkSpec.layerNames().indexOf(target);
            LoraBranch branch = new LoraBranch(layers.get(index), spec.rank(), spec.scaling(), spec.dropout(), spec.trainBias(), random);
            made.add(branch);
            branchByLayer[index] = branch;
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
        for (LoraBranch branch : branches) branch.merge();
        merged = true;
    }

    @Override
    public void unmerge() {
        requireAttached("unmerge");
        if (!merged) throw new IllegalStateException("the adapter is not merged; nothing to unmerge");
        for (LoraBranch branch : branches) branch.unmerge();
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
        for (LoraBranch branch : branches) {
            parameters.add(branch.aParameter());
            parameters.add(branch.bParameter());
            if (spec.trainBias()) parameters.add(branch.biasParameter());
        }
        return parameters;
    }

    /** The branch of each layer, or null; the adapter's own array, not to be changed. */
    @Nullable LoraBranch[] branchesByLayer() {
        return branchByLayer;
    }

    @Nullable LoraBranch branch(int layerIndex) {
        return branchByLayer[layerIndex];
    }

    boolean trainsBias() {
        return spec.trainBias();
    }

    /** Unmerges if merged and gives the adapted layers their original biases back (keeping the trained ones in {@link #weights()}). */
    void detach() {
        if (merged) unmerge();
        for (LoraBranch branch : branches) branch.detach();
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
