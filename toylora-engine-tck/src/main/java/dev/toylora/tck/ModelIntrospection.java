package dev.toylora.tck;

import dev.toylora.api.Batch;
import dev.toylora.api.Network;
import dev.toylora.api.Trainer;
import dev.toylora.model.Mlp;
import dev.toylora.model.MlpTrainer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The test hooks of every engine built on the model ({@code dev.toylora.model}): they are the model's, so one
 * implementation serves them all. Engines compute in float32.
 */
public final class ModelIntrospection implements Introspection {

    @Override
    public double unitRoundoff() {
        return 0x1p-24;
    }

    @Override
    public Map<String, double[]> gradients(Trainer trainer, Batch batch) {
        return ((MlpTrainer) trainer).gradients(batch);
    }

    @Override
    public double trainingLoss(Trainer trainer, Batch batch, long maskSeed) {
        return ((MlpTrainer) trainer).trainingLoss(batch, maskSeed);
    }

    @Override
    public double loss(Network network, Batch batch) {
        return ((Mlp) network).loss(batch);
    }

    @Override
    public Map<String, Values> liveParameters(Network network) {
        Map<String, Values> live = new LinkedHashMap<>();
        ((Mlp) network).liveParameters().forEach((name, values) -> live.put(name, new Values() {
            @Override
            public int size() {
                return values.size();
            }

            @Override
            public double get(int index) {
                return values.get(index);
            }

            @Override
            public void set(int index, double value) {
                values.set(index, (float) value);
            }
        }));
        return live;
    }
}
