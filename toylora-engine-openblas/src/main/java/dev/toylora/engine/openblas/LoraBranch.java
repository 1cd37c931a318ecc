package dev.toylora.engine.openblas;

import dev.toylora.api.LoraSpec;
import dev.toylora.engine.common.LoraAdapterCore;
import dev.toylora.engine.common.Uniform;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * LoRA on one layer: {@code y = x·Wᵀ + b + s·((drop(x)·Aᵀ)·Bᵀ)} with A {@code [r, in]} and B {@code [out, r]}, PEFT's
 * layouts. The product B·A itself is only ever formed to merge.
 */
final class LoraBranch implements LoraAdapterCore.Branch<Parameter> {
    final DenseLayer layer;
    final int rank;
    /** s = alpha/r (or alpha/√r with rsLoRA). */
    final float scale;
    /** Dropout on the branch's input during training. */
    final double dropout;
    /** [r, in], row-major. */
    final NativeFloats a;
    /** [out, r], row-major; zero when attached. */
    final NativeFloats b;

    /** The layer's bias as it was when the adapter came, when the adapter trains it (restored on detach). */
    private final float @Nullable [] biasBeforeAttach;
    /** The bias the adapter trained, kept when it is detached (the layer gets its original back). */
    private @Nullable NativeFloats trainedBias;
    /** The exact weight before merging, so that unmerging restores it bit for bit rather than by subtraction. */
    private @Nullable NativeFloats weightBeforeMerge;

    LoraBranch(DenseLayer layer, int rank, double scale, double dropout, boolean trainsBias, SplittableRandom random) {
        this.layer = layer;
        this.rank = rank;
        this.scale = (float) scale;
        this.dropout = dropout;
        this.b = NativeFloats.zeros(layer.outputs() * rank);
        this.biasBeforeAttach = trainsBias ? layer.biasValues().toArray() : null;
        // PEFT: lora_A as nn.Linear(in, r) is kaiming_uniform(a=√5) → U(±1/√in); lora_B starts at zero.
        float[] drawn = new float[rank * layer.inputs()];
        Uniform.fill(drawn, Uniform.bound(layer.inputs()), random);
        this.a = NativeFloats.of(drawn);
    }

    @Override
    public Parameter aParameter() {
        return new Parameter(LoraSpec.nameOfA(layer.name()), LoraSpec.shapeOfA(rank, layer.inputs()), a);
    }

    @Override
    public Parameter bParameter() {
        return new Parameter(LoraSpec.nameOfB(layer.name()), LoraSpec.shapeOfB(rank, layer.outputs()), b);
    }

    /** The adapted layer's bias as this adapter trains it: the layer's own while attached, the kept copy after. */
    @Override
    public Parameter biasParameter() {
        NativeFloats kept = trainedBias;
        return kept == null ? layer.biasParameter() : new Parameter(layer.name() + ".bias", new int[] {layer.outputs()}, kept);
    }

    /** W ← W + s·B·A ([out, r]·[r, in] = [out, in]), keeping the exact W for {@link #unmerge()}. */
    @Override
    public void merge() {
        NativeFloats weight = layer.weightValues();
        weightBeforeMerge = weight.copy();
        NativeBlas.sgemm(false, false, layer.outputs(), layer.inputs(), rank, scale, b, rank, a, layer.inputs(), 1f, weight, layer.inputs());
    }

    /** Puts back the exact weight from before {@link #merge()}. */
    @Override
    public void unmerge() {
        NativeFloats saved = weightBeforeMerge;
        if (saved == null) throw new IllegalStateException("layer " + layer.name() + " is not merged");
        layer.weightValues().copyFrom(saved);
        weightBeforeMerge = null;
    }

    /** Keeps the bias the adapter trained and gives the layer back the one it had before. */
    @Override
    public void detach() {
        if (biasBeforeAttach != null) {
            trainedBias = layer.biasValues().copy();
            layer.biasValues().copyFrom(biasBeforeAttach);
        }
    }
}
