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
     * Copies rows {@code firstRow …} of a row-major feature array into the first layer's input. Row-major
     * x is column-major xᵀ, so xᵀ is a straight copy; x (when a weight gradient needs it) is a transposing one.
     */
    void loadInput(float[] features, int firstRow, int columns) {
        LayerBuffers first = layers[0];
        double[] xT = first.xT.data();
        int offset = firstRow * columns;
        for (int i = 0; i < xT.length; i++) {
            xT[i] = features[offset + i];
        }
        Matrix x = first.x;
        if (x != null) {
            double[] data = x.data();
            for (int k = 0; k < columns; k++) {
                int from = offset + k;
                int to = k * rows;
                for (int i = 0; i < rows; i++) {
                    data[to + i] = features[from + i * columns];
                }
            }
        }
    }
}
