package dev.toylora.engine.ojalgo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a trainer trains: the live parameters, a gradient buffer for each (shaped as the parameter's rows),
 * and for every layer which gradients the backward pass must compute.
 */
final class Gradients {
    private final List<LayerGradients> layers;
    private final List<Parameter> parameters;
    private final List<float[][]> gradients;

    private Gradients(List<LayerGradients> layers, List<Parameter> parameters, List<float[][]> gradients) {
        this.layers = layers;
        this.parameters = parameters;
        this.gradients = gradients;
    }

    /** Everything trains: every weight and bias. */
    static Gradients ofBase(List<DenseLayer> layers) {
        Builder builder = new Builder();
        for (DenseLayer layer : layers) {
            float[][] weight = builder.add(layer.weightParameter());
            float[] bias = builder.add(layer.biasParameter())[0];
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
            float[][] a = builder.add(branch.aParameter());
            float[][] b = builder.add(branch.bParameter());
            float[] bias = adapter.trainsBias() ? builder.add(branch.biasParameter())[0] : null;
            builder.layer(null, bias, a, b);
        }
        return builder.build();
    }

    LayerGradients layer(int index) {
        return layers.get(index);
    }

    int layerCount() {
        return layers.size();
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

    /** The gradient of {@code parameters().get(i)}, shaped as its rows. */
    float[][] gradient(int i) {
        return gradients.get(i);
    }

    /** Copies of the current gradients, in double, named as the parameters are, flat in their row-major order. */
    Map<String, double[]> copies() {
        Map<String, double[]> copies = new LinkedHashMap<>();
        for (int i = 0; i < parameters.size(); i++) {
            float[][] gradient = gradients.get(i);
            double[] flat = new double[Rows.size(gradient)];
            int k = 0;
            for (float[] row : gradient) {
                for (float value : row) flat[k++] = value;
            }
            copies.put(parameters.get(i).name(), flat);
        }
        return copies;
    }

    private static final class Builder {
        private final List<Parameter> parameters = new ArrayList<>();
        private final List<float[][]> gradients = new ArrayList<>();
        private final List<LayerGradients> layers = new ArrayList<>();

        /** Registers a parameter and returns its gradient buffer, shaped as its rows. */
        float[][] add(Parameter parameter) {
            float[][] rows = parameter.rows();
            float[][] gradient = new float[rows.length][];
            for (int i = 0; i < rows.length; i++) gradient[i] = new float[rows[i].length];
            parameters.add(parameter);
            gradients.add(gradient);
            return gradient;
        }

        void layer(float @Nullable [][] weight, float @Nullable [] bias, float @Nullable [][] loraA, float @Nullable [][] loraB) {
            // Whether dL/dx is needed is only known once the layers below are in; build() fills it in.
            layers.add(new LayerGradients(weight, bias, loraA, loraB, false));
        }

        Gradients build() {
            List<LayerGradients> complete = new ArrayList<>();
            boolean somethingBelowTrains = false;
            for (LayerGradients g : layers) {
                complete.add(new LayerGradients(g.weight(), g.bias(), g.loraA(), g.loraB(), somethingBelowTrains));
                somethingBelowTrains |= g.trainsSomething();
            }
            return new Gradients(List.copyOf(complete), List.copyOf(parameters), List.copyOf(gradients));
        }
    }
}
