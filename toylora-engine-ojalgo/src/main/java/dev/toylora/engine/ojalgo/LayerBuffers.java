package dev.toylora.engine.ojalgo;

import org.jspecify.annotations.Nullable;

/**
 * One layer's matrices for a batch of a fixed number of rows. A name ending in T holds the transpose
 * (feature-major, {@code [features × rows]}); the others are batch-major {@code [rows × features]}.
 * A buffer a mode does not need is absent, and its absence is what tells the passes to skip the work.
 */
final class LayerBuffers {
    // Forward
    /** The layer's input xᵀ {@code [in × rows]}; always there, since z = x·W reads it. */
    final Matrix xT;
    /** The input x {@code [rows × in]}, for the weight gradient xᵀ·dz (a transposed left operand is ojAlgo's fastest form). */
    final @Nullable Matrix x;
    /** x·W {@code [rows × out]}; for the last layer, the logits once the bias is added. */
    final Matrix z;

    // LoRA forward (absent without a branch on this layer)
    /** drop(x)ᵀ, only when the branch has dropout and we train. */
    final @Nullable Matrix xDroppedT;
    /** The dropout factors (0 or 1/(1-p)) applied to xᵀ, in xᵀ's order. */
    final double @Nullable [] loraMaskT;
    /** u = drop(x)·A {@code [rows × r]}. */
    final @Nullable Matrix u;
    /** v = u·B {@code [rows × out]}. */
    final @Nullable Matrix v;

    // Backward (absent when no gradient reaches this layer)
    /** dL/dz {@code [rows × out]} and its transpose. */
    final @Nullable Matrix dz;
    final @Nullable Matrix dzT;
    /** dL/dxᵀ {@code [in × rows]}, when a layer below trains. */
    final @Nullable Matrix dxT;
    /** dL/du {@code [rows × r]}. */
    final @Nullable Matrix du;
    /** The branch's share of dL/dxᵀ before its dropout: A·duᵀ {@code [in × rows]}. */
    final @Nullable Matrix dxDroppedT;

    LayerBuffers(int rows, DenseLayer layer, @Nullable LoraBranch branch, @Nullable LayerGradients gradients, boolean receivesGradient) {
        int in = layer.inputs();
        int out = layer.outputs();
        boolean training = gradients != null;
        boolean branchTrains = gradients != null && gradients.loraA != null;
        boolean branchDrops = training && branch != null && branch.dropout > 0;

        xT = Matrix.zeros(in, rows);
        x = gradients != null && gradients.weight != null ? Matrix.zeros(rows, in) : null;
        z = Matrix.zeros(rows, out);

        xDroppedT = branchDrops ? Matrix.zeros(in, rows) : null;
        loraMaskT = branchDrops ? new double[in * rows] : null;
        u = branch != null ? Matrix.zeros(rows, branch.rank) : null;
        v = branch != null ? Matrix.zeros(rows, out) : null;

        boolean inputGradient = gradients != null && gradients.input;
        dz = receivesGradient ? Matrix.zeros(rows, out) : null;
        dzT = receivesGradient ? Matrix.zeros(out, rows) : null;
        dxT = inputGradient ? Matrix.zeros(in, rows) : null;
        du = branchTrains && branch != null ? Matrix.zeros(rows, branch.rank) : null;
        dxDroppedT = branchTrains && inputGradient ? Matrix.zeros(in, rows) : null;
    }
}
