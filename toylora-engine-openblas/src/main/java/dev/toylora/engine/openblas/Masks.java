package dev.toylora.engine.openblas;

import dev.toylora.engine.common.Dropout;
import java.util.List;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * The dropout masks of one training step, for the whole batch, drawn before the step's halves run: every engine
 * draws them from one stream in one order (layer by layer: the LoRA input mask row by row, then the hidden layer's
 * output mask unit by unit), so they are drawn here in that order, whatever the rows are split into afterwards.
 * All masks are row-major {@code [rows × features]}; a half of the batch reads its rows' slice.
 */
final class Masks {
    final int rows;
    /** The mask on layer l's LoRA input [rows × in], where its branch has dropout. */
    private final float @Nullable [][] lora;
    /** The network's dropout mask on layer l's input (the output of layer l − 1) [rows × in], for l ≥ 1. */
    private final float @Nullable [][] hidden;
    private final float[] scratch;
    private final double dropout;
    private final @Nullable LoraBranch[] branches;

    Masks(int rows, List<DenseLayer> layers, @Nullable LoraBranch[] branches, double dropout) {
        this.rows = rows;
        this.dropout = dropout;
        this.branches = branches;
        this.lora = new float[layers.size()][];
        this.hidden = new float[layers.size()][];
        int largest = 0;
        for (int l = 0; l < layers.size(); l++) {
            LoraBranch branch = branches[l];
            if (branch != null && branch.dropout > 0) lora[l] = new float[rows * layers.get(l).inputs()];
            if (l > 0 && dropout > 0) hidden[l] = new float[rows * layers.get(l).inputs()];
            largest = Math.max(largest, rows * layers.get(l).inputs());
        }
        this.scratch = new float[dropout > 0 ? largest : 0];
    }

    /** Draws every mask of a step, in the order every engine draws them. */
    void draw(SplittableRandom random) {
        for (int l = 0; l < lora.length; l++) {
            float[] loraMask = lora[l];
            LoraBranch branch = branches[l];
            if (loraMask != null && branch != null) Dropout.rowMajorMask(loraMask, loraMask.length, branch.dropout, random);
            if (l + 1 < hidden.length) {
                float[] next = hidden[l + 1];
                if (next != null) Dropout.unitMajorMask(next, scratch, rows, next.length / rows, dropout, random);
            }
        }
    }

    float @Nullable [] lora(int layer) {
        return lora[layer];
    }

    float @Nullable [] hidden(int layer) {
        return hidden[layer];
    }
}
