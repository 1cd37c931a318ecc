package dev.toylora.engine.ojalgo;

import dev.toylora.api.LoraSpec;
import dev.toylora.api.NetworkSpec;
import dev.toylora.engine.common.LoraAdapterCore;
import java.util.List;

/**
 * A LoRA adapter: one {@link LoraBranch} per target layer (the rules are {@link LoraAdapterCore}'s). Attaching trains
 * the adapted layers' biases in place when the spec says so; detaching restores them, so the base comes back bit for bit.
 */
final class LoraAdapter extends LoraAdapterCore<Parameter, LoraBranch> {
    LoraAdapter(LoraSpec spec, NetworkSpec networkSpec, List<DenseLayer> layers, long seed) {
        super(spec, networkSpec, seed, LoraBranch[]::new,
                (index, random) -> new LoraBranch(layers.get(index), spec.rank(), spec.scaling(), spec.dropout(), spec.trainBias(), random));
    }
}
