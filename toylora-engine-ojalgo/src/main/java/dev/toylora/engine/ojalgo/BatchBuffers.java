package dev.toylora.engine.ojalgo;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** Every matrix a batch of {@code rows} examples flows through, allocated once and reused for every batch of that size. */
final class BatchBuffers {
    final int rows;
    private final LayerBuffers[] layers;

    /**
     * @param branches  the LoRA branch of each layer, or null
     * @param gradients what trains, or null for eval-only buffers
     * @param batchMajorForward whether the forward pass computes z = x·Wᵀ (see {@link ForwardPass})
     */
    BatchBuffers(int rows, List<DenseLayer> layers, @Nullable LoraBranch[] branches, @Nullable Gradients gradients, boolean batchMajorForward) {
        this.rows = rows;
        this.layers = new LayerBuffers[layers.size()];
        int lowestTrained = gradients != null ? gradients.lowestTrainedLayer() : layers.size();
        for (int i = 0; i < layers.size(); i++) {
            this.layers[i] = new LayerBuffers(rows, layers.get(i), branches[i],
                    gradients != null ? gradients.layer(i) : null, i >= lowestTrained, batchMajorForward);
        }
    }

    LayerBuffers layer(int index) {
        return layers[index];
    }

    LayerBuffers last() {
        return layers[layers.length - 1];
    }

    /** Copies rows {@code firstRow …} of a row-major feature array into the first layer's xᵀ (and x, when a gradient needs it). */
    void loadInput(float[] features, int firstRow, int columns) {
        LayerBuffers first = layers[0];
        int offset = firstRow * columns;
        // Feature by feature: each of the batch's rows stays in cache for the next features on its line.
        for (int k = 0; k < columns; k++) {
            float[] row = first.xT[k];
            for (int i = 0; i < rows; i++) row[i] = features[offset + i * columns + k];
        }
        float[][] x = first.x;
        if (x != null) {
            for (int i = 0; i < rows; i++) {
                float[] row = x[i];
                for (int k = 0; k < columns; k++) row[k] = features[offset + i * columns + k];
            }
        }
    }
}
