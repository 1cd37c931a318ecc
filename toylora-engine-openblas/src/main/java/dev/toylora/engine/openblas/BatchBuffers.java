package dev.toylora.engine.openblas;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Every matrix a batch of {@code rows} examples flows through, allocated once and reused for every batch of that size.
 */
final class BatchBuffers {
    final int rows;
    private final LayerBuffers[] layers;

    /**
     * @param branches  the LoRA branch of each layer, or null
     * @param gradients what trains, or null for eval-only buffers
     */
    BatchBuffers(int rows, List<DenseLayer> layers, @Nullable LoraBranch[] branches, @Nullable Gradients gradients) {
        this.rows = rows;
        this.layers = new LayerBuffers[layers.size()];
        int lowestTrained = gradients != null ? gradients.lowestTrainedLayer() : layers.size();
        for (int i = 0; i < layers.size(); i++) {
            this.layers[i] = new LayerBuffers(rows, layers.get(i), branches[i],
                    gradients != null ? gradients.layer(i) : null, i >= lowestTrained);
        }
    }

    LayerBuffers layer(int index) {
        return layers[index];
    }

    LayerBuffers last() {
        return layers[layers.length - 1];
    }

    /**
     * Copies rows {@code firstRow …} of a row-major feature array into the first layer's input (a batch's array may be
     * longer than its rows, and the binding hands whole arrays to the native side, so the products get one of exact size).
     */
    void loadInput(float[] features, int firstRow, int columns) {
        NativeFloats x = layers[0].x;
        x.write(0, features, firstRow * columns, x.length());
    }
}
