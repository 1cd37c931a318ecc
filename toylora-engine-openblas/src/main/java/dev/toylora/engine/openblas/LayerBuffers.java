package dev.toylora.engine.openblas;

import org.jspecify.annotations.Nullable;

/**
 * One layer's matrices for a batch of a fixed number of rows, all row-major {@code [rows × features]}. A buffer a mode
 * does not need is absent, and its absence is what tells the passes to skip the work.
 */
final class LayerBuffers {
    // Forward
    /** The layer's input x [rows × in]: the batch for fc1, the hidden layer below's output otherwise. */
    final NativeFloats x;
    /** x·Wᵀ [rows × out]; for the last layer, the logits once the bias is added. */
    final NativeFloats z;

    // LoRA forward (absent without a branch on this layer)
    /** drop(x) [rows × in], only when the branch has dropout and we train (its mask is in {@link Masks}). */
    final @Nullable NativeFloats xDropped;
    /** u = drop(x)·Aᵀ [rows × r]. */
    final @Nullable NativeFloats u;
    /** v = u·Bᵀ [rows × out]. */
    final @Nullable NativeFloats v;

    // Backward (absent when no gradient reaches this layer)
    /** dL/dz [rows × out]. */
    final @Nullable NativeFloats dz;
    /** dL/dx [rows × in], when a layer below trains. */
    final @Nullable NativeFloats dx;
    /** dL/du [rows × r]. */
    final @Nullable NativeFloats du;
    /** The branch's share of dL/dx before its dropout mask, du·A [rows × in] (only with adapter dropout). */
    final @Nullable NativeFloats dxBranch;

    LayerBuffers(int rows, DenseLayer layer, @Nullable LoraBranch branch, @Nullable LayerGradients gradients, boolean receivesGradient) {
        int in = layer.inputs();
        int out = layer.outputs();
        boolean training = gradients != null;
        boolean branchTrains = gradients != null && gradients.loraA != null;
        boolean branchDrops = training && branch != null && branch.dropout > 0;

        x = NativeFloats.zeros(rows * in);
        z = NativeFloats.zeros(rows * out);

        xDropped = branchDrops ? NativeFloats.zeros(rows * in) : null;
        u = branch != null ? NativeFloats.zeros(rows * branch.rank) : null;
        v = branch != null ? NativeFloats.zeros(rows * out) : null;

        boolean inputGradient = gradients != null && gradients.input;
        dz = receivesGradient ? NativeFloats.zeros(rows * out) : null;
        dx = inputGradient ? NativeFloats.zeros(rows * in) : null;
        du = branchTrains && branch != null ? NativeFloats.zeros(rows * branch.rank) : null;
        dxBranch = branchTrains && inputGradient && branchDrops ? NativeFloats.zeros(rows * in) : null;
    }
}
