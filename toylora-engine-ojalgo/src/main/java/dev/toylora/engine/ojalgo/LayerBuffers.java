package dev.toylora.engine.ojalgo;

import org.jspecify.annotations.Nullable;

/**
 * One layer's matrices for a batch of a fixed number of rows, as row arrays. A name ending in T holds the
 * transpose (feature-major, {@code [features][rows]}); the others are batch-major {@code [rows][features]}.
 * A buffer a mode does not need is absent, and its absence is what tells the passes to skip the work.
 */
final class LayerBuffers {
    // Forward
    /** The layer's input xᵀ {@code [in][rows]}; always there, since zᵀ = W·xᵀ reads it. */
    final float[][] xT;
    /** The input x {@code [rows][in]}, for dW = dzᵀ·x (and dA = duᵀ·x when the branch has no dropout). */
    final float @Nullable [][] x;
    /** zᵀ = W·xᵀ {@code [out][rows]}; for the last layer, the logits once the bias is added. */
    final float[][] zT;
    /** z = x·Wᵀ {@code [rows][out]}, when the forward pass has Wᵀ (a frozen weight's): then zᵀ is its transpose. */
    final float @Nullable [][] z;

    // LoRA forward (absent without a branch on this layer)
    /** The branch's dropout factors (0 or 1/(1-p)) {@code [rows][in]}, only when the branch has dropout and we train. */
    final float @Nullable [][] loraMask;
    /** drop(x) {@code [rows][in]} for dA, and drop(x)ᵀ {@code [in][rows]} for uᵀ; with the mask. */
    final float @Nullable [][] xDropped;
    final float @Nullable [][] xDroppedT;
    /** uᵀ = A·drop(x)ᵀ {@code [r][rows]}. */
    final float @Nullable [][] uT;
    /** vᵀ = B·uᵀ {@code [out][rows]}. */
    final float @Nullable [][] vT;

    // Backward (absent when no gradient reaches this layer)
    /** dL/dz {@code [rows][out]} and its transpose. */
    final float @Nullable [][] dz;
    final float @Nullable [][] dzT;
    /** dL/dx {@code [rows][in]}, when a layer below trains. */
    final float @Nullable [][] dx;

    // LoRA backward (absent when the branch does not train)
    /** Bᵀ {@code [r][out]}, copied from B each step: duᵀ = Bᵀ·dzᵀ is a fast form, du = dz·B (16 columns) a slow one. */
    final float @Nullable [][] bT;
    /** dBᵀ = uᵀ·dz {@code [r][out]}, transposed into dB (dB = dzᵀ·u would again have only r columns). */
    final float @Nullable [][] dBT;
    /** dL/duᵀ {@code [r][rows]}. */
    final float @Nullable [][] duT;
    /** dL/du {@code [rows][r]} and the branch's share of dL/dx before its dropout, du·A {@code [rows][in]}; when a layer below trains. */
    final float @Nullable [][] du;
    final float @Nullable [][] dxBranch;

    /** @param batchMajorForward whether the forward pass computes z = x·Wᵀ (it then needs x and z) */
    LayerBuffers(int rows, DenseLayer layer, @Nullable LoraBranch branch, @Nullable LayerGradients gradients, boolean receivesGradient,
                 boolean batchMajorForward) {
        int in = layer.inputs();
        int out = layer.outputs();
        boolean training = gradients != null;
        boolean branchTrains = gradients != null && gradients.loraA() != null && branch != null;
        boolean branchDrops = training && branch != null && branch.dropout > 0;
        boolean inputGradient = gradients != null && gradients.input();
        int rank = branch != null ? branch.rank : 0;

        xT = Rows.zeros(in, rows);
        x = batchMajorForward || gradients != null && (gradients.weight() != null || branchTrains && !branchDrops) ? Rows.zeros(rows, in) : null;
        zT = Rows.zeros(out, rows);
        z = batchMajorForward ? Rows.zeros(rows, out) : null;

        loraMask = branchDrops ? Rows.zeros(rows, in) : null;
        xDropped = branchDrops && branchTrains ? Rows.zeros(rows, in) : null;
        xDroppedT = branchDrops ? Rows.zeros(in, rows) : null;
        uT = branch != null ? Rows.zeros(rank, rows) : null;
        vT = branch != null ? Rows.zeros(out, rows) : null;

        dz = receivesGradient ? Rows.zeros(rows, out) : null;
        dzT = receivesGradient ? Rows.zeros(out, rows) : null;
        dx = inputGradient ? Rows.zeros(rows, in) : null;

        bT = branchTrains ? Rows.zeros(rank, out) : null;
        dBT = branchTrains ? Rows.zeros(rank, out) : null;
        duT = branchTrains ? Rows.zeros(rank, rows) : null;
        du = branchTrains && inputGradient ? Rows.zeros(rows, rank) : null;
        dxBranch = branchTrains && inputGradient ? Rows.zeros(rows, in) : null;
    }
}
