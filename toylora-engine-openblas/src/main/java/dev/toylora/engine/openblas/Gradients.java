package dev.toylora.engine.openblas;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a trainer trains: the live parameters, a gradient buffer for each (in the parameter's own layout),
 * and for every layer which gradients the backward pass must compute.
 */
final class Gradients {
    private final List<LayerGradients> layers;
    private final List<Parameter> parameters;
    private final List<NativeFloats> gradients;

    private Gradients(List<LayerGradients> layers, List<Parameter> parameters, List<NativeFloats> gradients) {
        this.layers = layers;
        this.parameters = parameters;
        this.gradients = gradients;
    }

    /** Everything trains: every weight and bias. */
    static Gradients ofBase(List<DenseLayer> layers) {
        Builder builder = new Builder();
        for (DenseLayer layer : layers) {
            NativeFloats weight = builder.add(layer.weightParameter());
            NativeFloats bias = builder.add(layer.biasParameter());
            builder.layer(weight, bias, null, null);
        }
        return builder.build();
    }

    /** Only the adapter trains: A and B of each target, and the targets' biases when it says so. */
    static Gradients ofAdapter(List<DenseLayer> layers, LoraAdapter adapter) {
        Builder builder = new Builder();
        for (int i = 0; i < layers.size(); i++) {
            LoraBranch branch = adapter.branch(i);
            if (branch == null) {
                builder.layer(null, null, null, null);
                continue;
            }
            // Registered in the order of Adapter.weights(): A, B, bias.
            NativeFloats a = builder.add(branch.aParameter());
            NativeFloats b = builder.add(branch.bParameter());
            NativeFloats bias = adapter.trainsBias() ? builder.add(branch.biasParameter()) : null;
            builder.layer(null, bias, a, b);
        }
        return builder.build();
    }

    LayerGradients layer(int index) {
        return layers.get(index);
    }

    /** The first layer (from the input) with something to train: the backward pass stops there. */
    int lowestTrainedLayer() {
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).trainsSomething()) return i;
        }
        throw new IllegalStateException("nothing trains");
    }

    List<Parameter> parameters() {
        return parameters;
    }

    /** The gradient of {@code parameters().get(i)}, same length and order as its values. */
    NativeFloats gradient(int i) {
        return gradients.get(i);
    }

    /** Which parameter {@code gradient} is the gradient of. */
    int indexOf(NativeFloats gradient) {
        for (int i = 0; i < gradients.size(); i++) {
            if (gradients.get(i) == gradient) return i;
        }
        throw new IllegalArgumentException("not one of these gradients");
    }

    /** Copies of the current gradients, in double, named as the parameters are. */
    Map<String, double[]> copies() {
        Map<String, double[]> copies = new LinkedHashMap<>();
        for (int i = 0; i < parameters.size(); i++) {
            NativeFloats g = gradients.get(i);
            double[] copy = new double[g.length()];
            for (int k = 0; k < copy.length; k++) copy[k] = g.get(k);
            copies.put(parameters.get(i).name(), copy);
        }
        return copies;
    }

    private static final class Builder {
        private final List<Parameter> parameters = new ArrayList<>();
        private final List<NativeFloats> gradients = new ArrayList<>();
        private final List<LayerGradients> layers = new ArrayList<>();

        NativeFloats add(Parameter parameter) {
            NativeFloats gradient = NativeFloats.zeros(parameter.values().length());
            parameters.add(parameter);
            gradients.add(gradient);
            return gradient;
        }

        void layer(@Nullable NativeFloats weight, @Nullable NativeFloats bias, @Nullable NativeFloats loraA, @Nullable NativeFloats loraB) {
            // Whether dL/dx is needed is only known once the layers below are in; build() fills it in.
            layers.add(new LayerGradients(weight, bias, loraA, loraB, false));
        }

        Gradients build() {
            List<LayerGradients> complete = new ArrayList<>();
            boolean somethingBelowTrains = false;
            for (LayerGradients g : layers) {
                complete.add(new LayerGradients(g.weight, g.bias, g.loraA, g.loraB, somethingBelowTrains));
                somethingBelowTrains |= g.trainsSomething();
            }
            return new Gradients(List.copyOf(complete), List.copyOf(parameters), List.copyOf(gradients));
        }
    }
}
