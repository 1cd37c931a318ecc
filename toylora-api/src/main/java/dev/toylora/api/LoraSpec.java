package dev.toylora.api;

import java.util.List;

/**
 * One LoRA adapter: every targeted linear layer computes {@code y = x·W + b + s·(drop(x)·A)·B}
 * with A {@code [in × r]} random, B {@code [r × out]} zero, so attaching changes nothing until B
 * is trained. Names follow PEFT: {@code r}, {@code lora_alpha}, {@code target_modules},
 * {@code lora_dropout}, {@code bias}, {@code use_rslora}.
 *
 * @param rank      r, the inner dimension of A·B (≥ 1, ≤ max(in, out) of every target: as in PEFT, r may exceed
 *                  min(in, out) — the seed's r = 16 on the 128×10 classifier does — though A·B's rank cannot)
 * @param alpha     lora_alpha; the update is scaled by {@link #scaling()}
 * @param targets   names of the layers to adapt, e.g. {@code [fc1, fc2, fc3, fc4]}
 * @param trainBias PEFT's {@code bias="lora_only"}: the biases of adapted layers train too
 * @param dropout   dropout on the adapter's input during training, in [0, 1)
 * @param rsLora    scale by alpha/√r (rank-stabilised LoRA) instead of alpha/r
 */
public record LoraSpec(int rank, double alpha, List<String> targets, boolean trainBias, double dropout, boolean rsLora) {

    public LoraSpec {
        targets = List.copyOf(targets);
        if (rank < 1) throw new IllegalArgumentException("LoRA rank must be >= 1, got " + rank);
        if (!(alpha > 0) || Double.isInfinite(alpha)) throw new IllegalArgumentException("LoRA alpha must be > 0, got " + alpha);
        if (targets.isEmpty()) throw new IllegalArgumentException("LoRA needs at least one target layer");
        if (targets.stream().distinct().count() != targets.size()) throw new IllegalArgumentException("LoRA targets repeat a layer: " + targets);
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout);
    }

    /**
     * A builder, for Java and Kotlin alike (Kotlin cannot name a Java constructor's arguments):
     * {@code LoraSpec.builder().rank(8).alpha(16).targets("fc1", "fc2").dropout(0.05).build()}. Defaults: rank 8,
     * alpha 2·rank, every target to be given, no bias training, no dropout, scaling alpha/r.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** See {@link LoraSpec#builder()}; {@code alpha} takes an int or a double, so {@code alpha(16)} reads the same in Kotlin. */
    public static final class Builder {
        private int rank = 8;
        private double alpha = Double.NaN;
        private List<String> targets = List.of();
        private boolean trainBias;
        private double dropout;
        private boolean rsLora;

        private Builder() {}

        public Builder rank(int rank) {
            this.rank = rank;
            return this;
        }

        public Builder alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        public Builder alpha(int alpha) {
            return alpha((double) alpha);
        }

        public Builder targets(String... targets) {
            this.targets = List.of(targets);
            return this;
        }

        public Builder targets(List<String> targets) {
            this.targets = List.copyOf(targets);
            return this;
        }

        public Builder trainBias(boolean trainBias) {
            this.trainBias = trainBias;
            return this;
        }

        public Builder dropout(double dropout) {
            this.dropout = dropout;
            return this;
        }

        public Builder rsLora(boolean rsLora) {
            this.rsLora = rsLora;
            return this;
        }

        public LoraSpec build() {
            return new LoraSpec(rank, Double.isNaN(alpha) ? 2.0 * rank : alpha, targets, trainBias, dropout, rsLora);
        }
    }

    /** Plain LoRA: no bias training, no adapter dropout, scaling alpha/r. */
    public static LoraSpec of(int rank, double alpha, List<String> targets) {
        return new LoraSpec(rank, alpha, targets, false, 0.0, false);
    }

    /** As {@link #of(int, double, List)}, with an int alpha (Kotlin does not widen {@code 16} to a Double). */
    public static LoraSpec of(int rank, int alpha, List<String> targets) {
        return of(rank, (double) alpha, targets);
    }

    /** PEFT's state_dict name of a layer's A: {@code <layer>.lora_A.weight}, of shape {@link #shapeOfA}. */
    public static String nameOfA(String layer) {
        return layer + ".lora_A.weight";
    }

    /** PEFT's state_dict name of a layer's B: {@code <layer>.lora_B.weight}, of shape {@link #shapeOfB}. */
    public static String nameOfB(String layer) {
        return layer + ".lora_B.weight";
    }

    /** A's shape as PEFT stores it, {@code [r, in]} (the weight of {@code nn.Linear(in, r)}). */
    public static int[] shapeOfA(int rank, int inputs) {
        return new int[] {rank, inputs};
    }

    /** B's shape as PEFT stores it, {@code [out, r]} (the weight of {@code nn.Linear(r, out)}). */
    public static int[] shapeOfB(int rank, int outputs) {
        return new int[] {outputs, rank};
    }

    /** s, the factor on A·B. */
    public double scaling() {
        return rsLora ? alpha / Math.sqrt(rank) : alpha / rank;
    }

    /**
     * Trainable parameters this adapter adds to {@code network}: r·(in+out) per adapted layer, plus
     * the biases of adapted layers when they train.
     */
    public long trainableParameters(NetworkSpec network) {
        long total = 0;
        for (String target : targets) {
            NetworkSpec.LayerShape shape = network.layerShapes().stream()
                    .filter(s -> s.name().equals(target)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(
                            "LoRA target '" + target + "' is not a layer; the layers are " + network.layerNames()));
            total += (long) rank * (shape.inputs() + shape.outputs());
            if (trainBias) total += shape.outputs();
        }
        return total;
    }

    /** Checks targets and rank against a network; throws with the reason. */
    public void validateAgainst(NetworkSpec network) {
        for (String target : targets) {
            NetworkSpec.LayerShape shape = network.layerShapes().stream()
                    .filter(s -> s.name().equals(target)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(
                            "LoRA target '" + target + "' is not a layer; the layers are " + network.layerNames()));
            // Beyond max(in, out) every extra rank only adds parameters: A·B already spans the whole matrix.
            int max = Math.max(shape.inputs(), shape.outputs());
            if (rank > max) {
                throw new IllegalArgumentException("LoRA rank " + rank + " is larger than layer " + target + " allows ("
                        + shape.inputs() + "×" + shape.outputs() + ": at most " + max + ")");
            }
        }
    }
}
