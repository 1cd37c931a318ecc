package dev.toylora.runner.analysis;

import dev.toylora.api.Tensor;
import org.ojalgo.function.aggregator.Aggregator;
import org.ojalgo.matrix.decomposition.SingularValue;
import org.ojalgo.matrix.store.MatrixStore;
import org.ojalgo.matrix.store.R064Store;

/**
 * The economy singular value decomposition {@code M = U·diag(values)·Vᵀ} of a matrix, by ojAlgo: {@code values}
 * descending, U [rows × k] and V [columns × k] with orthonormal columns, k = min(rows, columns).
 */
public record Svd(double[] values, MatrixStore<Double> u, MatrixStore<Double> v) {
    /**
     * Singular values below this fraction of the largest count as zero: the singular vectors that go with them are
     * any orthonormal completion, so no measurement may depend on them.
     */
    static final double NUMERICAL_ZERO = 1e-9;

    public Svd {
        values = values.clone();
    }

    public static Svd of(MatrixStore<Double> matrix) {
        SingularValue<Double> svd = SingularValue.R064.make(matrix);
        if (!svd.decompose(matrix)) {
            throw new IllegalStateException("ojAlgo's SVD failed on a " + matrix.getRowDim() + "×" + matrix.getColDim() + " matrix");
        }
        double[] values = new double[(int) Math.min(matrix.getRowDim(), matrix.getColDim())];
        svd.getSingularValues(values);
        return new Svd(values, svd.getU(), svd.getV());
    }

    /** The matrix of a [rows, columns] tensor (PyTorch's [out, in] for a weight), in double precision. */
    public static R064Store matrix(Tensor tensor) {
        if (tensor.rank() != 2) throw new IllegalArgumentException("expected a matrix, got a tensor of shape " + java.util.Arrays.toString(tensor.shape()));
        int rows = tensor.dim(0), columns = tensor.dim(1);
        R064Store m = R064Store.FACTORY.make(rows, columns);
        float[] data = tensor.data();
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < columns; j++) m.set(i, j, data[i * columns + j]);
        }
        return m;
    }

    /** The first {@code k} left singular vectors, as columns. */
    public MatrixStore<Double> u(int k) {
        return u.limits(u.getRowDim(), k);
    }

    /** The first {@code k} right singular vectors, as columns. */
    public MatrixStore<Double> v(int k) {
        return v.limits(v.getRowDim(), k);
    }

    /** How many singular values are not zero within {@link #NUMERICAL_ZERO} of the largest. */
    public int numericalRank() {
        int k = 0;
        while (k < values.length && values[k] > values[0] * NUMERICAL_ZERO) k++;
        return k;
    }

    /** ‖M‖_F, as ojAlgo's NORM2 over every element (its {@code norm()} of a matrix is scaled by the shape: not the Frobenius norm). */
    public static double frobenius(MatrixStore<Double> matrix) {
        return matrix.aggregateAll(Aggregator.NORM2);
    }

    /** ‖M‖_F, from the singular values. */
    public double frobenius() {
        double sum = 0;
        for (double s : values) sum += s * s;
        return Math.sqrt(sum);
    }
}
