package dev.toylora.runner.experiment;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.toylora.api.NetworkSpec;
import java.util.List;

/**
 * The MLP: {@code inputs → hidden[0] → … → outputs}, ReLU and dropout after each hidden layer; the layers
 * are named {@code fc1 … fc(N+1)}.
 *
 * @param hidden  1..8 widths, each 1..8192
 * @param dropout dropout after each hidden layer, in [0, 1)
 */
@JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
public record ModelConfig(
        @Setting(help = "hidden-layer widths, input side first", value = "[512, 256, 128]", list = Setting.ListOf.WIDTHS,
                min = 1, max = MAX_WIDTH, maxSize = MAX_LAYERS)
        List<Integer> hidden,
        @Setting(help = "dropout after each hidden layer", value = "0.2", min = 0, max = 1, maxExcluded = true)
        double dropout) {

    /** 28×28 pixels, for MNIST and Fashion-MNIST alike. */
    public static final int INPUTS = 784;
    /** Ten classes, for MNIST and Fashion-MNIST alike. */
    public static final int OUTPUTS = 10;
    public static final int MAX_LAYERS = 8;
    public static final int MAX_WIDTH = 8192;

    public ModelConfig {
        hidden = List.copyOf(hidden);
    }

    public NetworkSpec toNetworkSpec(int inputs, int outputs) {
        return new NetworkSpec(inputs, hidden, outputs, dropout);
    }

    /** {@link #toNetworkSpec(int, int)} with 784 inputs and 10 outputs. */
    public NetworkSpec toNetworkSpec() {
        return toNetworkSpec(INPUTS, OUTPUTS);
    }

    /** {@code fc1 … fc(N+1)}. */
    public List<String> layerNames() {
        return toNetworkSpec().layerNames();
    }
}
