package dev.toylora.engine.openblas;

import dev.toylora.api.Layer;
import dev.toylora.api.Tensor;
import dev.toylora.engine.common.Uniform;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/** One fully connected layer, {@code y = x·Wᵀ + b}, W row-major {@code [out, in]} exactly as PyTorch's {@code weight}. */
final class DenseLayer implements Layer {
    private final String name;
    private final int inputs;
    private final int outputs;
    private final NativeFloats weight;
    private final NativeFloats bias;
    private final BooleanSupplier frozen;

    DenseLayer(String name, int inputs, int outputs, BooleanSupplier frozen) {
        this.name = name;
        this.inputs = inputs;
        this.outputs = outputs;
        this.weight = NativeFloats.zeros(outputs * inputs);
        this.bias = NativeFloats.zeros(outputs);
        this.frozen = frozen;
    }

    /** PyTorch's nn.Linear initialisation: weight, then bias, uniform in ±1/√in (the same draws as every engine). */
    void initialise(SplittableRandom random) {
        double bound = Uniform.bound(inputs);
        float[] w = new float[weight.length()];
        float[] b = new float[bias.length()];
        Uniform.fill(w, bound, random);
        Uniform.fill(b, bound, random);
        weight.copyFrom(w);
        bias.copyFrom(b);
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

    /** The live weight, row-major [out, in] (including a merged adapter's s·B·A while merged). */
    NativeFloats weightValues() {
        return weight;
    }

    /** The live bias. */
    NativeFloats biasValues() {
        return bias;
    }

    Parameter weightParameter() {
        return new Parameter(name + ".weight", new int[] {outputs, inputs}, weight);
    }

    Parameter biasParameter() {
        return new Parameter(name + ".bias", new int[] {outputs}, bias);
    }

    /** The weight in use: the base, plus s·B·A while an adapter is merged (never an unmerged adapter). */
    @Override
    public Tensor weight() {
        return weightParameter().snapshot();
    }

    @Override
    public Tensor bias() {
        return biasParameter().snapshot();
    }

    @Override
    public String toString() {
        return name + " [" + inputs + " → " + outputs + "]";
    }
}
