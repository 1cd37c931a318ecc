package dev.toylora.engine.ojalgo;

import org.jspecify.annotations.Nullable;
import org.ojalgo.matrix.store.R064Store;

/** The gradient buffers of one layer; a buffer is absent when that parameter does not train. */
final class LayerGradients {
    /** dL/dW {@code [in × out]}. */
    final @Nullable R064Store weight;
    /** dL/db. */
    final double @Nullable [] bias;
    /** dL/dA {@code [in × r]}. */
    final @Nullable R064Store loraA;
    /** dL/dB {@code [r × out]}. */
    final @Nullable R064Store loraB;
    /** Whether dL/dx is needed, i.e. something in a layer below trains. */
    final boolean input;

    LayerGradients(@Nullable R064Store weight, double @Nullable [] bias, @Nullable R064Store loraA, @Nullable R064Store loraB, boolean input) {
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
