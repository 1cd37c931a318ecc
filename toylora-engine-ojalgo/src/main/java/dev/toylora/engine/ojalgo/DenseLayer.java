package dev.toylora.engine.ojalgo;

import dev.toylora.api.Layer;
import dev.toylora.api.Tensor;
import dev.toylora.engine.common.Uniform;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import org.ojalgo.matrix.store.R064Store;

/** One fully connected layer, {@code y = x·W + b}, W an {@code [in × out]} store whose data is PyTorch's {@code weight [out, in]}. */
final class DenseLayer implements Layer {
    private final String name;
    private final int inputs;
    private final int outputs;
    private final R064Store weight;
    private final double[] bias;
    private final BooleanSupplier frozen;

    DenseLayer(String name, int inputs, int outputs, BooleanSupplier frozen) {
        this.name = name;
        this.inputs = inputs;
        this.outputs = outputs;
        this.weight = R064Store.FACTORY.make(inputs, outputs);
        this.bias = new double[outputs];
        this.frozen = frozen;
    }

    /** PyTorch's nn.Linear initialisation: weight and bias uniform in ±1/√in (kaiming_uniform with a = √5). */
    void initialise(SplittableRandom random) {
        double bound = Uniform.bound(inputs);
        Uniform.fill(weight.data, bound, random);
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

    /** The live weight store (including a merged adapter's s·A·B while merged). */
    R064Store weightStore() {
        return weight;
    }

    /** The live bias. */
    double[] biasValues() {
        return bias;
    }

    Parameter weightParameter() {
        return new Parameter(name + ".weight", new int[] {outputs, inputs}, weight.data);
    }

    Parameter biasParameter() {
        return new Parameter(name + ".bias", new int[] {outputs}, bias);
    }

    /** The weight in use: the base, plus s·A·B while an adapter is merged (never an unmerged adapter). */
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
