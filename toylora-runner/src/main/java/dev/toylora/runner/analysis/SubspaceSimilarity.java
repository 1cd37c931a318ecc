package dev.toylora.runner.analysis;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.ojalgo.matrix.store.MatrixStore;

/**
 * The LoRA paper's normalised subspace similarity (§7.2, Fig. 3 and 4) between two sets of orthonormal directions
 * U and V in one space: {@code φ(i, j) = ‖U_iᵀ V_j‖²_F / min(i, j)}, where U_i is the first i columns. φ is 1 when
 * the smaller of the two subspaces lies inside the other and 0 when they are orthogonal.
 *
 * @param dimension the dimension of the space (for the random baseline)
 * @param phi       {@code phi[i-1][j-1]} = φ(i, j), for i up to U's columns and j up to V's
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SubspaceSimilarity(int dimension, double[][] phi) {
    public SubspaceSimilarity {
        phi = phi.clone();
        for (int i = 0; i < phi.length; i++) phi[i] = phi[i].clone();
    }

    /** φ over every i ≤ columns of {@code u} and j ≤ columns of {@code v} (both with orthonormal columns). */
    public static SubspaceSimilarity of(MatrixStore<Double> u, MatrixStore<Double> v) {
        if (u.getRowDim() != v.getRowDim()) {
            throw new IllegalArgumentException("directions of different spaces: " + u.getRowDim() + " and " + v.getRowDim() + " coordinates");
        }
        MatrixStore<Double> overlap = u.transpose().multiply(v); // entry (a, b) = ⟨u_a, v_b⟩
        int rows = (int) overlap.getRowDim(), columns = (int) overlap.getColDim();
        double[][] phi = new double[rows][columns];
        for (int i = 1; i <= rows; i++) {
            for (int j = 1; j <= columns; j++) {
                double norm = Svd.frobenius(overlap.limits(i, j));
                phi[i - 1][j - 1] = norm * norm / Math.min(i, j);
            }
        }
        return new SubspaceSimilarity((int) u.getRowDim(), phi);
    }

    /** φ(i, j), 1-based as in the paper. */
    public double at(int i, int j) {
        return phi[i - 1][j - 1];
    }

    /** The mean of φ(i, j) over i, j ≤ n: how much of the top n directions the two share. */
    public double meanTop(int n) {
        return mean(n, this::at);
    }

    /** What φ(i, j) is on average for uniformly random subspaces: E‖U_iᵀV_j‖²_F = i·j/d, over min(i, j). */
    public static double random(int i, int j, int dimension) {
        return (double) Math.max(i, j) / dimension;
    }

    /** {@link #meanTop} for random subspaces of the same sizes. */
    public double randomMeanTop(int n) {
        return mean(n, (i, j) -> random(i, j, dimension));
    }

    private interface Cell {
        double at(int i, int j);
    }

    private double mean(int n, Cell cell) {
        int rows = Math.min(n, phi.length), columns = Math.min(n, phi[0].length);
        double sum = 0;
        for (int i = 1; i <= rows; i++) {
            for (int j = 1; j <= columns; j++) sum += cell.at(i, j);
        }
        return sum / (rows * columns);
    }
}
