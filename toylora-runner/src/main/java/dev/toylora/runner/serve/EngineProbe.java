package dev.toylora.runner.serve;

import dev.toylora.api.AdapterSet;
import dev.toylora.api.Batch;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.RowGroup;
import dev.toylora.api.Tensor;
import java.util.List;
import java.util.Map;

/** Checks at start that the engine serves several adapters in one pass, rather than failing on the first request. */
final class EngineProbe {
    private EngineProbe() {}

    static void requireBatchedLogits(Models models) {
        NetworkSpec spec = models.spec();
        NetworkSpec.LayerShape last = spec.layerShapes().get(spec.layerShapes().size() - 1);
        // A rank-1 adapter of zeros on the last layer: it changes nothing, so the probe leaves no trace.
        AdapterSet.Entry zero = new AdapterSet.Entry("probe", LoraSpec.of(1, 1, List.of(last.name())), Map.of(
                LoraSpec.nameOfA(last.name()), Tensor.zeros(LoraSpec.shapeOfA(1, last.inputs())),
                LoraSpec.nameOfB(last.name()), Tensor.zeros(LoraSpec.shapeOfB(1, last.outputs()))));
        Batch batch = Batch.unlabelled(new float[spec.inputs()], 1, spec.inputs());
        try {
            models.network(0).logits(batch, List.of(new RowGroup(0, 1, List.of(new RowGroup.Weighted(zero, 1.0)))), new float[spec.outputs()]);
        } catch (UnsupportedOperationException e) {
            throw new IllegalArgumentException("engine '" + models.backend().name() + "' (" + models.backend().version()
                    + ") cannot serve several adapters in one pass: " + e.getMessage() + "; pick another with --backend, or --strategy merged");
        }
    }
}
