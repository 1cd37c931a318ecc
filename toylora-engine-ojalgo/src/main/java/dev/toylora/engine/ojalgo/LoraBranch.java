package dev.toylora.engine.ojalgo;

import dev.toylora.engine.common.LoraAdapterCore;
import dev.toylora.engine.common.Uniform;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;
import org.ojalgo.matrix.store.MatrixStore;
import org.ojalgo.matrix.store.R064Store;

/**
 * LoRA on one layer: {@code y = x·W + b + s·((drop(x)·A)·B)} with A {@code [in × r]} and B {@code [r × out]}.
 * A·B itself is only ever formed to merge.
 */
final class LoraBranch implements LoraAdapterCore.Branch<Parameter> {
    final DenseLayer layer;
    final int rank;
    /** s = alpha/r (or alpha/√r with rsLoRA). */
    final double scale;
    /** Dropout on the branch's input during training. */
    final double dropout;
    final R064Store a;
    final R064Store b;
    /** A live view of Bᵀ, for du = dz·Bᵀ. */
    final MatrixStore<Double> bTransposed;

    /** The layer's bias as it was when the adapter came, when the adapter trains it (restored on detach). */
    private final double @Nullable [] biasBeforeAttach;
    /** The bias the adapter trained, kept when it is detached (the layer gets its original back). */
    private double @Nullable [] trainedBias;
    /** The exact weight before merging, so that unmerging restores it bit for bit rather than by subtraction. */
    private double @Nullable [] weightBeforeMerge;

    LoraBranch(DenseLayer layer, int rank, double scale, double dropout, boolean trainsBias, SplittableRandom random) {
        this.layer = layer;
        this.rank = rank;
        this.scale = scale;
        this.dropout = dropout;
        this.a = R064Store.FACTORY.make(layer.inputs(), rank);
        this.b = R064Store.FACTORY.make(rank, layer.outputs());
        this.bTransposed = b.transpose();
        this.biasBeforeAttach = trainsBias ? layer.biasValues().clone() : null;
        // PEFT: lora_A as nn.Linear(in, r) is kaiming_uniform(a=√5) → U(±1/√in); lora_B starts at zero.
        Uniform.fill(a.data, Uniform.bound(layer.inputs()), random);
    }

    String loraAName() {
        return layer.name() + ".lora_A.weight";
    }

    String loraBName() {
        return layer.name() + ".lora_B.weight";
    }

    @Override
    public Parameter aParameter() {
        return new Parameter(loraAName(), new int[] {rank, layer.inputs()}, a.data);
    }

    @Override
    public Parameter bParameter() {
        return new Parameter(loraBName(), new int[] {layer.outputs(), rank}, b.data);
    }

    /** The adapted layer's bias as this adapter trains it: the layer's own while attached, the kept copy after. */
    @Override
    public Parameter biasParameter() {
        double[] kept = trainedBias;
        return kept == null ? layer.biasParameter() : new Parameter(layer.name() + ".bias", new int[] {layer.outputs()}, kept);
    }

    /** W ← W + s·A·B, keeping the exact W for {@link #unmerge()}. */
    @Override
    public void merge() {
        double[] weight = layer.weightStore().data;
        weightBeforeMerge = weight.clone();
        R064Store product = R064Store.FACTORY.make(layer.inputs(), layer.outputs());
        product.fillByMultiplying(a, b);
        for (int i = 0; i < weight.length; i++) {
            weight[i] += scale * product.data[i];
        }
    }

    /** Puts back the exact weight from before {@link #merge()}. */
    @Override
    public void unmerge() {
        double[] saved = weightBeforeMerge;
        if (saved == null) throw new IllegalStateException("layer " + layer.name() + " is not merged");
        System.arraycopy(saved, 0, layer.weightStore().data, 0, saved.length);
        weightBeforeMerge = null;
    }

    /** Keeps the bias the adapter trained and gives the layer back the one it had before. */
    @Override
    public void detach() {
        if (biasBeforeAttach != null) {
            trainedBias = layer.biasValues().clone();
            System.arraycopy(biasBeforeAttach, 0, layer.biasValues(), 0, biasBeforeAttach.length);
        }
    }
}
