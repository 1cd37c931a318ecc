package dev.toylora.runner.analysis;

import dev.toylora.api.LoraSpec;
import dev.toylora.api.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ojalgo.matrix.store.MatrixStore;

/**
 * A LoRA adapter to analyse, already checked against the base it belongs to.
 *
 * @param name       its name in tables and charts
 * @param file       where it was read from
 * @param experiment the experiment that trained it, as its file records (empty if it does not)
 * @param tensors    PEFT's names: {@code <layer>.lora_A.weight} [r, in], {@code <layer>.lora_B.weight} [out, r], …
 */
public record AdapterInput(String name, String file, String experiment, LoraSpec spec, Map<String, Tensor> tensors) {
    public AdapterInput {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    public boolean adapts(String layer) {
        return spec.targets().contains(layer);
    }

    public int rank() {
        return spec.rank();
    }

    /** A [r, in] of a layer, whose right singular vectors the paper compares between adapters. */
    MatrixStore<Double> a(String layer) {
        return Svd.matrix(tensors.get(LoraSpec.nameOfA(layer)));
    }

    /** The update s·B·A [out, in] it adds to a layer's weight. */
    MatrixStore<Double> delta(String layer) {
        return Svd.matrix(tensors.get(LoraSpec.nameOfB(layer))).multiply(a(layer)).multiply(spec.scaling()).copy();
    }
}
