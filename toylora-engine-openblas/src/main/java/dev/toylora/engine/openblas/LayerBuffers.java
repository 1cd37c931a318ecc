package dev.toylora.engine.openblas;

import org.jspecify.annotations.Nullable;

/**
 * One layer's matrices for a batch of a fixed number of rows, all row-major {@code [rows × features]}. A buffer a mode
 * does not need is absent, and its absence is what tells the passes to skip the work.
 */
final class LayerBuffers {
    // Forward
    /** The layer's input x [rows × in]: the batch for fc1, the hidden layer below's output otherwise. */
    final float[] x;
    /** x·Wᵀ [rows × out]; for the last layer, the logits once the bias is added. */
    final float[] z;

    // LoRA forward (absent without a branch on this layer)
    /** drop(x) [rows × in], only when the branch has dropout and we train (its mask is in {@link Masks}). */
    final float @Nullable [] xDropped;
    /** u = drop(x)·Aᵀ [rows × r]. */
    final float @Nullable [] u;
    /** v = u·Bᵀ [rows × out]. */
    final float @Nullable [] v;

    // Backward (absent when no gradient reaches this layer)
    /** dL/dz [rows × out]. */
    final float @Nullable [] dz;
    /** dL/dx [rows × in], when a layer below trains. */
    final float @Nullable [] dx;
    /** dL/du [rows × r]. */
    final float @Nullable [] du;
    /** The branch's share of dL/dx before its dropout mask, du·A [rows × in] (only with adapter dropout). */
    final float @Nullable [] dxBranch;

    LayerBuffers(int rows, DenseLayer layer, @Nullable LoraBranch branch, @Nullable LayerGradients gradients, boolean receivesGradient) {
        int in = layer.inputs();
        int out = layer.outputs();
        boolean training = gradients != null;
        boolean branchTrains = gradients != null && gradients.loraA != null;
        boolean branchDrops = training && branch != null && branch.dropout > 0;

        x = new float[rows * in];
        z = new float[rows * out];

        xDropped = branchDrops ? new float[rows * in] : null;
        u = branch != null ? new float[rows * branch.rank] : null;
        v = branch != null ? new float[rows * out] : null;

        boolean inputGradient = gradients != null && gradients.input;
        dz = receivesGradient ? new float[rows * out] : null;
        dx = inputGradient ? new float[rows * in] : null;
        du = branchTrains && branch != null ? new float[rows * branch.rank] : null;
        dxBranch = branchTrains && inputGradient && branchDrops ? new float[rows * in] : null;
    }
}
