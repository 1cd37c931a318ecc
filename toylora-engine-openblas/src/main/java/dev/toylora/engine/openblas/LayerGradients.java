package dev.toylora.engine.openblas;

import org.jspecify.annotations.Nullable;

/** The gradient buffers of one layer, in the layouts of their parameters; a buffer is absent when that parameter does not train. */
final class LayerGradients {
    /** dL/dW [out, in]. */
    final @Nullable NativeFloats weight;
    /** dL/db [out]. */
    final @Nullable NativeFloats bias;
    /** dL/dA [r, in]. */
    final @Nullable NativeFloats loraA;
    /** dL/dB [out, r]. */
    final @Nullable NativeFloats loraB;
    /** Whether dL/dx is needed, i.e. something in a layer below trains. */
    final boolean input;

    LayerGradients(@Nullable NativeFloats weight, @Nullable NativeFloats bias, @Nullable NativeFloats loraA, @Nullable NativeFloats loraB, boolean input) {
        this.weight = weight;
        this.bias = bias;
        this.loraA = loraA;
        this.loraB = loraB;
        this.input = input;
    }

    /** Whether a parameter of this layer itself trains. */
    boolean trainsSomething() {
        return weight != null || bias != null || loraA != null;
    }
}
