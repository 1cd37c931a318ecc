package dev.toylora.runner.analysis;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.ojalgo.matrix.store.MatrixStore;

/**
 * The LoRA paper's Table 7 for one update ΔW of a weight W (§7.3): how strongly W already acts between the
 * directions ΔW uses, against W's own top directions and random ones.
 *
 * @param rank          r: how many of ΔW's top singular directions (at most its numerical rank)
 * @param deltaNorm     ‖ΔW‖_F
 * @param onDelta       ‖Uᵀ·W·V‖_F with U, V the top-r left and right singular vectors of ΔW
 * @param onWeight      the same with W's own top-r singular vectors
 * @param onRandom      the same with uniformly random orthonormal U, V, as its root mean square r·‖W‖_F/√(out·in)
 * @param amplification ‖ΔW‖_F / onDelta: how much ΔW enlarges what W does between those directions
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record WeightCorrelation(int rank, double deltaNorm, double onDelta, double onWeight, double onRandom, double amplification) {

    /** Table 7 at rank {@code rank} (capped at ΔW's numerical rank) for ΔW with SVD {@code delta}. */
    public static WeightCorrelation of(MatrixStore<Double> weight, Svd ofWeight, Svd delta, int rank) {
        int r = Math.min(rank, delta.numericalRank());
        double onDelta = between(weight, delta, r);
        double onWeight = between(weight, ofWeight, r);
        // For independent uniformly random U [out×r], V [in×r]: E[U·Uᵀ] = (r/out)·I and E[V·Vᵀ] = (r/in)·I, so
        // E‖UᵀWV‖²_F = tr(E[UUᵀ]·W·E[VVᵀ]·Wᵀ) = r²·‖W‖²_F/(out·in): exact, where one random draw would be noise.
        double onRandom = r * ofWeight.frobenius() / Math.sqrt((double) weight.getRowDim() * weight.getColDim());
        return new WeightCorrelation(r, delta.frobenius(), onDelta, onWeight, onRandom, delta.frobenius() / onDelta);
    }

    /** ‖Uᵀ·W·V‖_F for the top-r singular vectors of {@code directions}. */
    private static double between(MatrixStore<Double> weight, Svd directions, int r) {
        return Svd.frobenius(directions.u(r).transpose().multiply(weight).multiply(directions.v(r)));
    }
}
