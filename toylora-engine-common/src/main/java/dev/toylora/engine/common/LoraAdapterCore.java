package dev.toylora.engine.common;

import dev.toylora.api.Adapter;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * What a LoRA adapter is in every engine: one branch per target layer, in the spec's target order (the order of
 * {@link #weights()} and of A's random draws), and the rules around them — merge and unmerge in turn, no loading
 * while merged, nothing after detaching. An engine supplies the branches, which hold its own storage.
 *
 * @param <P> the engine's parameter type
 * @param <B> the engine's branch type
 */
public abstract class LoraAdapterCore<P extends LiveParameter, B extends LoraAdapterCore.Branch<P>> implements Adapter {

    /** LoRA on one layer, in an engine's storage. */
    public interface Branch<P extends LiveParameter> {
        P aParameter();

        P bParameter();

        /** The adapted layer's bias as the adapter trains it. */
        P biasParameter();

        /** W ← W + s·B·A, keeping the exact W for {@link #unmerge()}. */
        void merge();

        /** Puts back the exact W from before {@link #merge()}. */
        void unmerge();

        /** Keeps the bias the adapter trained and gives the layer back the one it had. */
        void detach();
    }

    /** Makes an engine's branch for one layer, drawing its A from {@code random}. */
    public interface BranchMaker<B> {
        B make(int layerIndex, SplittableRandom random);
    }

    private final LoraSpec spec;
    private final NetworkSpec networkSpec;
    /** In the order of the spec's targets. */
    private final List<B> branches;
    /** Indexed by layer; null where a layer is not adapted. */
    private final @Nullable B[] branchByLayer;
    private boolean merged;
    private boolean attached = true;

    /**
     * Checks the spec against the network and makes one branch per target, in target order, every A drawn from one
     * stream of {@code seed} (so every engine draws the same A's).
     *
     * @param newArray makes the engine's array of branches by layer
     */
    protected LoraAdapterCore(LoraSpec spec, NetworkSpec networkSpec, long seed, IntFunction<@Nullable B[]> newArray, BranchMaker<B> maker) {
        spec.validateAgainst(networkSpec);
        this.spec = spec;
        this.networkSpec = networkSpec;
        this.branchByLayer = newArray.apply(networkSpec.layerNames().size());
        SplittableRandom random = new SplittableRandom(seed);
        List<B> made = new ArrayList<>();
        for (String target : spec.targets()) {
            int index = networkSpec.layerNames().indexOf(target);
            B branch = maker.make(index, random);
            made.add(branch);
            branchByLayer[index] = branch;
        }
        this.branches = List.copyOf(made);
    }

    /** The branch of each layer, or null; the adapter's own array, not to be changed. */
    public final @Nullable B[] branchesByLayer() {
        return branchByLayer;
    }

    public final @Nullable B branch(int layerIndex) {
        return branchByLayer[layerIndex];
    }

    @Override
    public final LoraSpec spec() {
        return spec;
    }

    @Override
    public final long trainableParameters() {
        return spec.trainableParameters(networkSpec);
    }

    @Override
    public final void merge() {
        requireAttached("merge");
        if (merged) throw new IllegalStateException("the adapter is already merged into the base weights");
        for (B branch : branches) branch.merge();
        merged = true;
    }

    @Override
    public final void unmerge() {
        requireAttached("unmerge");
        if (!merged) throw new IllegalStateException("the adapter is not merged; nothing to unmerge");
        for (B branch : branches) branch.unmerge();
        merged = false;
    }

    @Override
    public final boolean merged() {
        return merged;
    }

    @Override
    public final Map<String, Tensor> weights() {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        for (P parameter : parameters()) weights.put(parameter.name(), parameter.snapshot());
        return weights;
    }

    @Override
    public final void load(Map<String, Tensor> weights) {
        requireAttached("load weights into");
        if (merged) throw new IllegalStateException("cannot load adapter weights while merged; unmerge() first");
        List<P> parameters = parameters();
        Map<String, int[]> expected = new LinkedHashMap<>();
        for (P parameter : parameters) expected.put(parameter.name(), parameter.shape());
        NamedTensors.checkNamesAndShapes("a LoRA adapter of rank " + spec.rank() + " on " + spec.targets(), expected, weights);
        for (P parameter : parameters) parameter.load(weights.get(parameter.name()));
    }

    /** What this adapter trains, live: A and B of every target (and its bias when the spec trains biases). */
    public final List<P> parameters() {
        List<P> parameters = new ArrayList<>();
        for (B branch : branches) {
            parameters.add(branch.aParameter());
            parameters.add(branch.bParameter());
            if (spec.trainBias()) parameters.add(branch.biasParameter());
        }
        return parameters;
    }

    public final boolean trainsBias() {
        return spec.trainBias();
    }

    /** Unmerges if merged and gives the adapted layers their original biases back (keeping the trained ones in {@link #weights()}). */
    public final void detach() {
        if (merged) unmerge();
        for (B branch : branches) branch.detach();
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
