package dev.toylora.engine.ojalgo;

import org.jspecify.annotations.Nullable;

/**
 * The gradient buffers of one layer, each shaped as its parameter; a buffer is absent when that parameter does not train.
 *
 * @param weight dL/dW {@code [out][in]}
 * @param bias   dL/db
 * @param loraA  dL/dA {@code [r][in]}
 * @param loraB  dL/dB {@code [out][r]}
 * @param input  whether dL/dx is needed, i.e. something in a layer below trains
 */
record LayerGradients(float @Nullable [][] weight, float @Nullable [] bias, float @Nullable [][] loraA, float @Nullable [][] loraB,
        boolean input) {

    /** Whether a parameter of this layer itself trains. */
    boolean trainsSomething() {
        return weight != null || bias != null || loraA != null;
    }
}
