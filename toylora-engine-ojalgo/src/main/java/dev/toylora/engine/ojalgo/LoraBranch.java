package dev.toylora.engine.ojalgo;

import dev.toylora.api.LoraSpec;
import dev.toylora.engine.common.LoraAdapterCore;
import dev.toylora.engine.common.Uniform;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * LoRA on one layer: {@code y = x·Wᵀ + b + s·(drop(x)·Aᵀ)·Bᵀ} with A as PEFT's {@code lora_A [r, in]} and B as
 * {@code lora_B [out, r]}, both held as row arrays. B·A itself is only ever formed to merge.
 */
final class LoraBranch implements LoraAdapterCore.Branch<Parameter> {
    final DenseLayer layer;
    final int rank;
    /** s = alpha/r (or alpha/√r with rsLoRA), rounded to float as every value the branch computes with. */
    final float scale;
    /** Dropout on the branch's input during training. */
    final double dropout;
    /** {@code [r][in]}. */
    final float[][] a;
    /** {@code [out][r]}. */
    final float[][] b;

    /** The layer's bias as it was when the adapter came, when the adapter trains it (restored on detach). */
    private final float @Nullable [] biasBeforeAttach;
    /** The bias the adapter trained, kept when it is detached (the layer gets its original back). */
    private float @Nullable [] trainedBias;
    /** The exact weight before merging, so that unmerging restores it bit for bit rather than by subtraction. */
    private float @Nullable [][] weightBeforeMerge;

    LoraBranch(DenseLayer layer, int rank, double scale, double dropout, boolean trainsBias, SplittableRandom random) {
        this.layer = layer;
        this.rank = rank;
        this.scale = (float) scale;
        this.dropout = dropout;
        this.a = Rows.zeros(rank, layer.inputs());
        this.b = Rows.zeros(layer.outputs(), rank);
        this.biasBeforeAttach = trainsBias ? layer.biasValues().clone() : null;
        // PEFT: lora_A as nn.Linear(in, r) is kaiming_uniform(a=√5) → U(±1/√in), row after row; lora_B starts at zero.
        double bound = Uniform.bound(layer.inputs());
        for (float[] row : a) Uniform.fill(row, bound, random);
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
        float[] kept = trainedBias;
        return kept == null ? layer.biasParameter() : Parameter.vector(layer.name() + ".bias", kept);
    }

    /** W ← W + s·B·A, keeping the exact W for {@link #unmerge()}. */
    @Override
    public void merge() {
        float[][] weight = layer.weightRows();
        weightBeforeMerge = Rows.copy(weight);
        float[][] product = Rows.zeros(layer.outputs(), layer.inputs());
        Products.multiply(product, b, a);
        for (int i = 0; i < weight.length; i++) {
            float[] row = weight[i];
            float[] delta = product[i];
            for (int j = 0; j < row.length; j++) row[j] += scale * delta[j];
        }
    }

    /** Puts back the exact weight from before {@link #merge()}. */
    @Override
    public void unmerge() {
        float[][] saved = weightBeforeMerge;
        if (saved == null) throw new IllegalStateException("layer " + layer.name() + " is not merged");
        Rows.copyInto(saved, layer.weightRows());
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
