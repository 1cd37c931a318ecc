package dev.toylora.engine.openblas;

import dev.toylora.api.LoraSpec;
import dev.toylora.api.NetworkSpec;
import dev.toylora.engine.common.LoraAdapterCore;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * A LoRA adapter: one {@link LoraBranch} per target layer (the rules are {@link LoraAdapterCore}'s). Attaching trains
 * the adapted layers' biases in place when the spec says so; detaching restores them, so the base comes back bit for bit.
 */
final class LoraAdapter extends LoraAdapterCore<Parameter, LoraBranch> {
    /** Indexed by layer; null where a layer is not adapted. */
    private final @Nullable LoraBranch[] branchByLayer;

    LoraAdapter(LoraSpec spec, NetworkSpec networkSpec, List<DenseLayer> layers, long seed) {
        super(spec, networkSpec, branches(spec, networkSpec, layers, seed));
        this.branchByLayer = new LoraBranch[layers.size()];
        for (LoraBranch branch : branches()) branchByLayer[layers.indexOf(branch.layer)] = branch;
    }

    /** One branch per target, each A drawn in target order from one stream of {@code seed}. */
    private static List<LoraBranch> branches(LoraSpec spec, NetworkSpec networkSpec, List<DenseLayer> layers, long seed) {
        spec.validateAgainst(networkSpec);
        SplittableRandom random = new SplittableRandom(seed);
        List<LoraBranch> made = new ArrayList<>();
        for (String target : spec.targets()) {
            DenseLayer layer = layers.get(networkSpec.layerNames().indexOf(target));
            made.add(new LoraBranch(layer, spec.rank(), spec.scaling(), spec.dropout(), spec.trainBias(), random));
        }
        return made;
    }

    /** The branch of each layer, or null; the adapter's own array, not to be changed. */
    @Nullable LoraBranch[] branchesByLayer() {
        return branchByLayer;
    }

    @Nullable LoraBranch branch(int layerIndex) {
        return branchByLayer[layerIndex];
    }
}
