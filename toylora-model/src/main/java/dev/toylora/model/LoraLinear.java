package dev.toylora.model;

import dev.toylora.api.Layer;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Tensor;
import dev.toylora.model.kernel.DropoutDraws;
import dev.toylora.model.kernel.Kernels;
import dev.toylora.model.kernel.Matrix;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A fully connected layer with an optional LoRA branch — all of LoRA's math is in this file:
 * <pre>
 *   y = x·Wᵀ + b + s·(drop(x)·Aᵀ)·Bᵀ
 * </pre>
 * W {@code [out, in]} and b are the frozen base; A {@code [r, in]} starts as {@code nn.Linear(in, r)}'s weight, B
 * {@code [out, r]} at zero, so attaching changes nothing until B is trained; s = α/r (α/√r with rsLoRA). B·A is only
 * ever formed to merge: the branch costs r·(in + out) per row instead of in·out.
 *
 * <p>Tensors are named and shaped as PyTorch and PEFT name them ({@code fc1.weight}, {@code fc1.lora_A.weight}, …).
 * Every operation goes through the engine's {@link Kernels}.
 */
public final class LoraLinear implements Layer {
    private final Kernels kernels;
    private final String name;
    private final int inputs;
    private final int outputs;
    private final BooleanSupplier frozen;
    /** W, {@code [out, in]}: the base, plus s·B·A while merged. */
    final Parameter weight;
    /** b, {@code [1, out]}. */
    final Parameter bias;
    private @Nullable Lora lora;

    LoraLinear(Kernels kernels, String name, int inputs, int outputs, BooleanSupplier frozen) {
        this.kernels = kernels;
        this.name = name;
        this.inputs = inputs;
        this.outputs = outputs;
        this.frozen = frozen;
        this.weight = new Parameter(kernels, name + ".weight", new int[] {outputs, inputs}, kernels.zeros(outputs, inputs));
        this.bias = new Parameter(kernels, name + ".bias", new int[] {outputs}, kernels.zeros(1, outputs));
    }

    /** PyTorch's nn.Linear initialisation: W, then b, uniform in ±1/√in (kaiming_uniform with a = √5), row-major. */
    void initialise(SplittableRandom random) {
        weight.fill(Uniform.bound(inputs), random);
        bias.fill(Uniform.bound(inputs), random);
    }

    /** The LoRA branch of this layer: A, B, their scale and dropout. */
    final class Lora {
        final int rank;
        final float scale;
        final double dropout;
        /** A, {@code [r, in]}. */
        final Parameter a;
        /** B, {@code [out, r]}. */
        final Parameter b;
        /** The exact W before merging: unmerging restores it bit for bit rather than subtracting. */
        private @Nullable Matrix weightBeforeMerge;
        /** The bias before attaching, when the adapter trains it (restored on detach). */
        private final @Nullable Matrix biasBeforeAttach;
        /** The bias the adapter trained, kept after detaching. */
        private @Nullable Parameter trainedBias;

        private Lora(LoraSpec spec, SplittableRandom random) {
            this.rank = spec.rank();
            this.scale = (float) spec.scaling();
            this.dropout = spec.dropout();
            this.a = new Parameter(kernels, LoraSpec.nameOfA(name), LoraSpec.shapeOfA(rank, inputs), kernels.zeros(rank, inputs));
            this.b = new Parameter(kernels, LoraSpec.nameOfB(name), LoraSpec.shapeOfB(rank, outputs), kernels.zeros(outputs, rank));
            // PEFT: lora_A is kaiming_uniform(a=√5) like nn.Linear(in, r), row after row; lora_B starts at zero.
            a.fill(Uniform.bound(inputs), random);
            this.biasBeforeAttach = spec.trainBias() ? copyOf(bias.values()) : null;
        }

        /** The bias the adapter trains: the layer's own while attached, the kept copy after. */
        Parameter trainedBias() {
            Parameter kept = trainedBias;
            return kept != null ? kept : bias;
        }

        /** W ← W + s·B·A. */
        void merge() {
            weightBeforeMerge = copyOf(weight.values());
            kernels.product(scale, b.values(), false, a.values(), false, 1f, weight.values());
        }

        void unmerge() {
            Matrix saved = weightBeforeMerge;
            if (saved == null) throw new IllegalStateException("layer " + name + " is not merged");
            kernels.copy(saved, weight.values());
            weightBeforeMerge = null;
        }

        boolean merged() {
            return weightBeforeMerge != null;
        }

        /** Keeps the bias the adapter trained and gives the layer back the one it had, then leaves the layer. */
        void detach() {
            if (merged()) unmerge();
            Matrix before = biasBeforeAttach;
            if (before != null) {
                trainedBias = new Parameter(kernels, bias.name(), bias.shape(), copyOf(bias.values()));
                kernels.copy(before, bias.values());
            }
            lora = null;
        }
    }

    /** Adds a LoRA branch (A drawn from {@code random}, B = 0). */
    Lora attach(LoraSpec spec, SplittableRandom random) {
        if (lora != null) throw new IllegalStateException("layer " + name + " already has a LoRA branch");
        Lora made = new Lora(spec, random);
        lora = made;
        return made;
    }

    /** The branch the forward pass computes: none without one, and none while merged (W carries it then). */
    private @Nullable Lora activeLora() {
        Lora branch = lora;
        return branch == null || branch.merged() ? null : branch;
    }

    /** What one batch leaves in this layer on the way forward, for the way back; made once per batch size. */
    final class Activations {
        /** z = x·Wᵀ, then the layer's output y = act(z + b + s·v) in place. */
        final Matrix y;
        /** dL/dz before the activation; null in eval mode. */
        final @Nullable Matrix dz;
        /** dL/dx, for the layer below; null when nothing below trains. */
        final @Nullable Matrix dx;
        /** The branch's input dropout: its mask and drop(x). */
        final @Nullable Matrix mask;
        final @Nullable Matrix dropped;
        /** u = drop(x)·Aᵀ {@code [rows, r]}, v = u·Bᵀ {@code [rows, out]}, du = s·dz·B, and du·A before its mask. */
        final @Nullable Matrix u;
        final @Nullable Matrix v;
        final @Nullable Matrix du;
        final @Nullable Matrix dxBranch;

        /**
         * @param backward    whether a backward pass follows (dz, du)
         * @param loraDropout whether the branch drops its inputs (training), so a mask is kept
         * @param needsDx     whether dL/dx is formed
         */
        Activations(int rows, boolean backward, boolean loraDropout, boolean needsDx) {
            y = kernels.zeros(rows, outputs);
            dz = backward ? kernels.zeros(rows, outputs) : null;
            dx = backward && needsDx ? kernels.zeros(rows, inputs) : null;
            Lora branch = lora;
            boolean drops = branch != null && loraDropout && branch.dropout > 0;
            mask = drops ? kernels.zeros(rows, inputs) : null;
            dropped = drops ? kernels.zeros(rows, inputs) : null;
            u = branch != null ? kernels.zeros(rows, branch.rank) : null;
            v = branch != null ? kernels.zeros(rows, outputs) : null;
            du = branch != null && backward ? kernels.zeros(rows, branch.rank) : null;
            dxBranch = drops && needsDx ? kernels.zeros(rows, inputs) : null;
        }
    }

    Activations activations(int rows, boolean backward, boolean loraDropout, boolean needsDx) {
        return new Activations(rows, backward, loraDropout, needsDx);
    }

    /**
     * y = act(x·Wᵀ + b + s·(drop(x)·Aᵀ)·Bᵀ), act = ReLU for a hidden layer, then the network's dropout when training.
     *
     * @param loraDropout the branch's input mask for this batch (training with branch dropout), else null
     * @param dropout     the network's dropout on this layer's output (training a hidden layer), else null
     */
    void forward(Matrix x, Activations act, boolean relu, @Nullable DropoutDraws loraDropout, @Nullable DropoutDraws dropout) {
        kernels.product(1f, x, false, weight.values(), true, 0f, act.y);                    // z = x·Wᵀ
        Lora branch = activeLora();
        Matrix v = null;
        if (branch != null) {
            Matrix input = x;
            if (loraDropout != null) {
                kernels.dropout(x, loraDropout, required(act.mask), required(act.dropped));
                input = required(act.dropped);
            }
            kernels.product(1f, input, false, branch.a.values(), true, 0f, required(act.u));     // u = drop(x)·Aᵀ
            v = required(act.v);
            kernels.product(1f, required(act.u), false, branch.b.values(), true, 0f, v);      // v = u·Bᵀ
        }
        kernels.biasActivation(act.y, bias.values(), v, branch != null ? branch.scale : 0f, relu, dropout, act.y);
    }

    /**
     * A batch's adapters stacked for serving, on one layer: {@code a = [A₁; A₂; …]} (K × in, every adapter's A one above
     * the other), {@code b = [B₁ B₂ … Δb₁ Δb₂ …]} (out × width: their B's side by side, then the bias changes of those
     * that train one) and, per row, a coefficient for each of b's columns, {@code c} (rows × width, row-major): w·s on
     * the K columns of the adapters the row runs with, w on their bias columns, 0 elsewhere.
     */
    record StackedBranches(Matrix a, int rank, Matrix b, float[] coefficients) {}

    /**
     * Eval mode for a batch whose rows run with different adapters (serving): the base product once for every row, and
     * every adapter's update in two more products for all rows, whatever the number of adapters,
     * <pre>
     *   z = x·Wᵀ + (c ⊙ [x·aᵀ, 1])·bᵀ    so row i gets  Σⱼ wᵢⱼ·(sⱼ·(xᵢ·Aⱼᵀ)·Bⱼᵀ + Δbⱼ)
     * </pre>
     * then bias and activation. A row pays for every stacked adapter (those it does not use are multiplied by 0): a few
     * large products, where a product per adapter on its own rows made many small ones and copied rows through the host.
     */
    void forward(Matrix x, Activations act, boolean relu, @Nullable StackedBranches branches) {
        kernels.product(1f, x, false, weight.values(), true, 0f, act.y);                    // z = x·Wᵀ, every row
        if (branches != null) {
            int rows = x.rows();
            int k = branches.rank();
            int width = branches.b().columns();
            float[] c = branches.coefficients();
            Matrix u = kernels.zeros(rows, k);
            kernels.product(1f, x, false, branches.a(), true, 0f, u);                   // u = x·[A₁; A₂; …]ᵀ
            float[] us = new float[rows * k];
            kernels.read(u, us);
            kernels.release(u);
            for (int i = 0; i < rows; i++) {
                for (int t = 0; t < k; t++) c[i * width + t] *= us[i * k + t];
            }
            Matrix weighted = kernels.zeros(rows, width);
            kernels.write(weighted, c, 0);
            kernels.product(1f, weighted, false, branches.b(), true, 1f, act.y);        // z += (c ⊙ [u, 1])·bᵀ
            kernels.release(weighted);
        }
        kernels.biasActivation(act.y, bias.values(), null, 0f, relu, null, act.y);
    }

    /** Where the backward pass writes the gradients of this layer's parameters; null for what does not train. */
    record Gradients(@Nullable Matrix weight, @Nullable Matrix bias, @Nullable Matrix a, @Nullable Matrix b) {}

    /**
     * From dz = dL/d(x·Wᵀ + b + s·v) in {@code act.dz}: the gradients asked for, and dL/dx into {@code act.dx} when it exists.
     * <pre>
     *   dW = dzᵀ·x     db = Σ_rows dz
     *   dB = s·dzᵀ·u   du = s·dz·B    dA = duᵀ·drop(x)
     *   dx = dz·W + (du·A) ⊙ mask
     * </pre>
     */
    void backward(Matrix x, Activations act, Gradients gradients) {
        Matrix dz = required(act.dz);
        if (gradients.weight() != null) kernels.product(1f, dz, true, x, false, 0f, gradients.weight());
        if (gradients.bias() != null) kernels.columnSums(dz, gradients.bias());
        Lora branch = activeLora();
        Matrix du = branch != null ? required(act.du) : null;
        if (branch != null && (gradients.a() != null || act.dx != null)) {
            kernels.product(branch.scale, dz, false, branch.b.values(), false, 0f, du);
        }
        if (branch != null && gradients.b() != null) {
            kernels.product(branch.scale, dz, true, required(act.u), false, 0f, gradients.b());
        }
        if (branch != null && gradients.a() != null) {
            Matrix input = act.dropped != null ? act.dropped : x;
            kernels.product(1f, du, true, input, false, 0f, gradients.a());
        }
        Matrix dx = act.dx;
        if (dx == null) return;
        kernels.product(1f, dz, false, weight.values(), false, 0f, dx);
        if (branch == null) return;
        if (act.mask == null) {
            kernels.product(1f, du, false, branch.a.values(), false, 1f, dx);
        } else {
            Matrix fromBranch = required(act.dxBranch);
            kernels.product(1f, du, false, branch.a.values(), false, 0f, fromBranch);
            kernels.addMasked(dx, fromBranch, act.mask);
        }
    }

    /**
     * EWC on what the adapter changes, with the strength λ folded into the importance F (the old task's Fisher):
     * <pre>
     *   penalty = ½·Σ F ⊙ ΔW²,   ΔW = s·B·A
     *   G = F ⊙ ΔW      dB += s·G·Aᵀ      dA += s·Bᵀ·G
     * </pre>
     * and, for a bias the adapter trains, ½·Σ F_b ⊙ (b − b_base)², so db += F_b ⊙ (b − b_base). ΔW is formed each step:
     * the cost of one merge.
     */
    final class ChangePenalty {
        private final Lora branch;
        private final Matrix importance;
        private final Matrix change;
        private final Matrix weighted;
        private final Matrix zero;
        private final float[] biasImportance;

        private ChangePenalty(Lora branch, float[] weightImportance, float[] biasImportance) {
            this.branch = branch;
            this.importance = kernels.zeros(outputs, inputs);
            kernels.write(importance, weightImportance, 0);
            this.change = kernels.zeros(outputs, inputs);
            this.weighted = kernels.zeros(outputs, inputs);
            this.zero = kernels.zeros(outputs, inputs);
            this.biasImportance = biasImportance.clone();
        }

        void addGradients(Gradients gradients) {
            Matrix a = branch.a.values();
            Matrix b = branch.b.values();
            kernels.product(branch.scale, b, false, a, false, 0f, change);                      // ΔW = s·B·A
            kernels.copy(zero, weighted);
            kernels.addMasked(weighted, change, importance);                                    // G = F ⊙ ΔW
            if (gradients.b() != null) kernels.product(branch.scale, weighted, false, a, true, 1f, gradients.b());
            if (gradients.a() != null) kernels.product(branch.scale, b, true, weighted, false, 1f, gradients.a());
            Matrix before = branch.biasBeforeAttach;
            Matrix biasGradient = gradients.bias();
            if (before == null || biasGradient == null) return;
            float[] now = new float[outputs];
            float[] base = new float[outputs];
            float[] g = new float[outputs];
            kernels.read(bias.values(), now);
            kernels.read(before, base);
            kernels.read(biasGradient, g);
            for (int j = 0; j < outputs; j++) g[j] += biasImportance[j] * (now[j] - base[j]);
            kernels.write(biasGradient, g, 0);
        }
    }

    /** The change penalty of this layer's branch, F = λ·importance; null when the layer has no branch. */
    @Nullable ChangePenalty changePenalty(float[] weightImportance, float[] biasImportance) {
        Lora branch = lora;
        return branch == null ? null : new ChangePenalty(branch, weightImportance, biasImportance);
    }

    @Nullable Lora lora() {
        return lora;
    }

    private Matrix copyOf(Matrix m) {
        Matrix copy = kernels.zeros(m.rows(), m.columns());
        kernels.copy(m, copy);
        return copy;
    }

    static <T> T required(@Nullable T value) {
        if (value == null) throw new IllegalStateException("a buffer this pass needs was not allocated");
        return value;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int inputs() {
        return inputs;
    }

    @Override
    public int outputs() {
        return outputs;
    }

    @Override
    public boolean frozen() {
        return frozen.getAsBoolean();
    }

    @Override
    public Tensor weight() {
        return weight.snapshot();
    }

    @Override
    public Tensor bias() {
        return bias.snapshot();
    }

    @Override
    public String toString() {
        return name + " [" + inputs + " → " + outputs + "]";
    }
}
