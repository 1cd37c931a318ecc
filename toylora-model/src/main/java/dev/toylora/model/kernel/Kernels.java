package dev.toylora.model.kernel;

import org.jspecify.annotations.Nullable;

/**
 * What an engine supplies: storage for matrices and the handful of operations the model is written in. Nothing
 * here knows about layers, LoRA or training; an engine implements these and inherits the whole model
 * ({@code dev.toylora.model}). How an operation is laid out in memory, vectorised or split over threads is the
 * engine's business, with one rule: results must not depend on the number of threads.
 *
 * <p>Operands are the engine's own {@link Matrix} objects, made by {@link #zeros}; a bias is a {@code 1 × n} matrix.
 * Unless said otherwise an output must not alias an input.
 */
public interface Kernels {

    /** A {@code rows × columns} matrix of zeros. */
    Matrix zeros(int rows, int columns);

    /** Copies {@code m.size()} row-major values starting at {@code source[offset]} into {@code m}. */
    void write(Matrix m, float[] source, int offset);

    /** Copies {@code m}'s values, row-major, into {@code target[0 … m.size())}. */
    void read(Matrix m, float[] target);

    float get(Matrix m, int row, int column);

    void set(Matrix m, int row, int column, float value);

    /** {@code to ← from} (same shape). */
    void copy(Matrix from, Matrix to);

    /** {@code c ← α·op(a)·op(b) + β·c}, where op transposes its operand when asked; β = 0 ignores what c held. */
    void product(float alpha, Matrix a, boolean transposeA, Matrix b, boolean transposeB, float beta, Matrix c);

    /**
     * A linear layer's epilogue, fused: {@code out ← act((z + bias) + s·v)} with act = ReLU or identity, and then, when
     * {@code dropout} is given, each value times its {@link DropoutDraws#factor}. {@code v} may be null (no LoRA
     * branch, or a merged one); {@code out} may be {@code z}.
     */
    void biasActivation(Matrix z, Matrix bias, @Nullable Matrix v, float s, boolean relu, @Nullable DropoutDraws dropout, Matrix out);

    /** {@code out ← x ⊙ mask} with {@code mask ← } the draws' factors (kept for the backward pass). */
    void dropout(Matrix x, DropoutDraws draws, Matrix mask, Matrix out);

    /** The derivative of {@code y = dropout(relu(z))} read off y: {@code dz ← dy · keep · [y > 0]}. */
    void reluDropoutBackward(Matrix dy, Matrix y, float keep, Matrix dz);

    /** {@code target ← target + add ⊙ mask}. */
    void addMasked(Matrix target, Matrix add, Matrix mask);

    /** {@code sums[0][j] ← Σᵢ m[i][j]}, summed in row order. */
    void columnSums(Matrix m, Matrix sums);

    /** Frees what {@code m} holds outside the Java heap, now rather than when collected; m is not used again. */
    default void release(Matrix m) {}

    /** One Adam update of {@code p} from its gradient {@code g} and moments {@code m}, {@code v} (all the same shape). */
    void adam(AdamMath adam, Matrix p, Matrix g, Matrix m, Matrix v);
}
