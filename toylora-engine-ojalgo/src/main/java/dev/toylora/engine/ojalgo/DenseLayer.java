package dev.toylora.engine.ojalgo;

import dev.toylora.api.Layer;
import dev.toylora.api.Tensor;
import dev.toylora.engine.common.Uniform;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/** One fully connected layer, {@code y = x·Wᵀ + b}, its weight held as PyTorch's {@code weight [out, in]}: {@code float[out][in]}. */
final class DenseLayer implements Layer {
    private final String name;
    private final int inputs;
    private final int outputs;
    private final float[][] weight;
    private final float[] bias;
    private final BooleanSupplier frozen;

    DenseLayer(String name, int inputs, int outputs, BooleanSupplier frozen) {
        this.name = name;
        this.inputs = inputs;
        this.outputs = outputs;
        this.weight = Rows.zeros(outputs, inputs);
        this.bias = new float[outputs];
        this.frozen = frozen;
    }

    /** PyTorch's nn.Linear initialisation: weight and bias uniform in ±1/√in (kaiming_uniform with a = √5), weight row after row. */
    void initialise(SplittableRandom random) {
        double bound = Uniform.bound(inputs);
        for (float[] row : weight) Uniform.fill(row, bound, random);
        Uniform.fill(bias, bound, random);
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

    /** The live weight {@code [out][in]} (including a merged adapter's s·B·A while merged). */
    float[][] weightRows() {
        return weight;
    }

    /** The live bias. */
    float[] biasValues() {
        return bias;
    }

    Parameter weightParameter() {
        return new Parameter(name + ".weight", new int[] {outputs, inputs}, weight);
    }

    Parameter biasParameter() {
        return Parameter.vector(name + ".bias", bias);
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
