package dev.toylora.api;

import java.util.ArrayList;
import java.util.List;

/**
 * A multilayer perceptron: {@code inputs → hidden[0] → … → outputs}, ReLU and dropout after every
 * hidden layer. Layers are named {@code fc1 … fcN} in order, as in the original PyTorch model.
 */
public record NetworkSpec(int inputs, List<Integer> hidden, int outputs, double dropout) {

    public NetworkSpec {
        hidden = List.copyOf(hidden);
        if (inputs <= 0) throw new IllegalArgumentException("inputs must be > 0, got " + inputs);
        if (outputs <= 0) throw new IllegalArgumentException("outputs must be > 0, got " + outputs);
        for (int h : hidden) {
            if (h <= 0) throw new IllegalArgumentException("every hidden width must be > 0, got " + hidden);
        }
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    }

    /** The seed's network: 784 → 512 → 256 → 128 → 10, dropout 0.2. */
    public static NetworkSpec mnistMlp() {
        return new NetworkSpec(784, List.of(512, 256, 128), 10, 0.2);
    }

    /** Shapes of the linear layers, in order. */
    public List<LayerShape> layerShapes() {
        List<LayerShape> shapes = new ArrayList<>();
        int in = inputs;
        for (int i = 0; i < hidden.size(); i++) {
            shapes.add(new LayerShape("fc" + (i + 1), in, hidden.get(i)));
            in = hidden.get(i);
        }
        shapes.add(new LayerShape("fc" + (hidden.size() + 1), in, outputs));
        return List.copyOf(shapes);
    }

    public List<String> layerNames() {
        return layerShapes().stream().map(LayerShape::name).toList();
    }

    /** Weights and biases of all layers. */
    public long parameterCount() {
        return layerShapes().stream().mapToLong(s -> (long) s.inputs() * s.outputs() + s.outputs()).sum();
    }

    /** Name, fan-in and fan-out of one linear layer. */
    public record LayerShape(String name, int inputs, int outputs) {}
}
