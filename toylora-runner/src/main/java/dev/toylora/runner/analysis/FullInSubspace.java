package dev.toylora.runner.analysis;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.ojalgo.matrix.store.MatrixStore;

/**
 * How much of the full fine-tune's update D of a layer lies in the subspaces of a LoRA adapter's update ΔW = s·B·A
 * (U, V: ΔW's left and right singular vectors, r of them).
 *
 * @param rank       r, ΔW's numerical rank
 * @param twoSided   ‖Uᵀ·D·V‖²_F / ‖D‖²_F: the share of D's energy between the adapter's output and input directions
 * @param inputSide  ‖D·V‖²_F / ‖D‖²_F: the share that reads the inputs the adapter reads
 * @param outputSide ‖Uᵀ·D‖²_F / ‖D‖²_F: the share that writes the outputs the adapter writes
 * @param best       the most any pair of rank-r subspaces can hold: D's own top-r share (Eckart–Young)
 * @param random     what uniformly random rank-r subspaces hold on average: r²/(out·in)
 * @param cosine     ⟨D, ΔW⟩ / (‖D‖_F·‖ΔW‖_F): whether the two updates point the same way at all
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record FullInSubspace(int rank, double twoSided, double inputSide, double outputSide, double best, double random, double cosine) {

    public static FullInSubspace of(MatrixStore<Double> full, Spectrum ofFull, MatrixStore<Double> delta, Svd ofDelta) {
        int r = ofDelta.numericalRank();
        MatrixStore<Double> u = ofDelta.u(r), v = ofDelta.v(r);
        double energy = square(ofFull.norm());
        double twoSided = square(Svd.frobenius(u.transpose().multiply(full).multiply(v))) / energy;
        double inputSide = square(Svd.frobenius(full.multiply(v))) / energy;
        double outputSide = square(Svd.frobenius(u.transpose().multiply(full))) / energy;
        double random = (double) r * r / ((double) full.getRowDim() * full.getColDim());
        double cosine = full.dot(delta) / (ofFull.norm() * ofDelta.frobenius());
        return new FullInSubspace(r, twoSided, inputSide, outputSide, ofFull.shareAt(r), random, cosine);
    }

    private static double square(double x) {
        return x * x;
    }
}
