package dev.toylora.engine.ojalgo;

import dev.toylora.api.Batch;
import dev.toylora.api.Network;
import dev.toylora.api.Trainer;
import dev.toylora.tck.Introspection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ojAlgo engine's test hooks for the contract suite (and, through this module's test-jar, for other engines'
 * agreement tests against it). Not API.
 */
public final class OjAlgoIntrospection implements Introspection {

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
        return ((MlpNetwork) network).loss(batch);
    }

    @Override
    public Map<String, Values> liveParameters(Network network) {
        Map<String, Values> live = new LinkedHashMap<>();
        ((MlpNetwork) network).liveParameters().forEach((name, rows) -> live.put(name, rowMajor(rows)));
        return live;
    }

    /** The values of a parameter's rows, indexed in its row-major order (rows of a matrix have one length). */
    private static Values rowMajor(float[][] rows) {
        int columns = rows[0].length;
        return new Values() {
            @Override
            public int size() {
                return rows.length * columns;
            }

            @Override
            public double get(int index) {
                return rows[index / columns][index % columns];
            }

            @Override
            public void set(int index, double value) {
                rows[index / columns][index % columns] = (float) value;
            }
        };
    }
}
