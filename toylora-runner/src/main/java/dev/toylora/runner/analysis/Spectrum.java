package dev.toylora.runner.analysis;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * How a matrix's energy ‖M‖²_F = Σ σᵢ² spreads over its singular values.
 *
 * @param norm            ‖M‖_F
 * @param values          the singular values, descending (only the numerically non-zero ones)
 * @param cumulativeShare entry k−1: the share of ‖M‖²_F in the top k, (σ₁² + … + σ_k²) / Σ σᵢ²
 * @param k90             the smallest k whose top k hold 90% of the energy
 * @param k99             the same for 99%
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Spectrum(double norm, double[] values, double[] cumulativeShare, int k90, int k99) {
    /** Rounding in the sums must not move a share that is exactly at a threshold (a rank-k matrix at k). */
    static final double TOLERANCE = 1e-12;

    public Spectrum {
        values = values.clone();
        cumulativeShare = cumulativeShare.clone();
    }

    public static Spectrum of(Svd svd) {
        int rank = Math.max(1, svd.numericalRank());
        double[] all = svd.values();
        double total = 0;
        for (double s : all) total += s * s;
        double[] values = java.util.Arrays.copyOf(all, rank);
        double[] cumulative = new double[rank];
        double sum = 0;
        for (int k = 0; k < rank; k++) {
            sum += values[k] * values[k];
            cumulative[k] = total == 0 ? 1 : sum / total;
        }
        return new Spectrum(Math.sqrt(total), values, cumulative, rankHolding(cumulative, 0.90), rankHolding(cumulative, 0.99));
    }

    /** The share of the energy in the top {@code k} directions (1 from the rank on). */
    public double shareAt(int k) {
        if (k < 1) return 0;
        return k > cumulativeShare.length ? 1 : cumulativeShare[k - 1];
    }

    static int rankHolding(double[] cumulative, double share) {
        for (int k = 0; k < cumulative.length; k++) {
            if (cumulative[k] >= share - TOLERANCE) return k + 1;
        }
        return cumulative.length;
    }
}
