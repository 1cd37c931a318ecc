package dev.toylora.bench;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * The two BLAS bindings evaluated for the OpenBLAS engine, compared at the training step's shapes (batch 64 through
 * 784 → 512 → 256 → 128 → 10): for each layer the three products of a step in their transposed forms, row-major as
 * the engine stores them — forward z = x·Wᵀ (NT), weight gradient dW = dzᵀ·x (TN), input gradient dx = dz·W (NN) —
 * in float (sgemm) and double (dgemm), in GFLOP/s.
 *
 * <ul>
 *   <li>{@code bytedeco}: JavaCPP's OpenBLAS preset (org.bytedeco:openblas, the library inside the jar) on native
 *       memory (FloatPointer), and {@code bytedeco-array} on Java arrays, which the binding copies in and out per call
 *       (what the engine does).</li>
 *   <li>{@code netlib}: dev.ludovic.netlib:blas, JNI to the system's libblas.so.3 on pinned Java arrays (needs Debian's
 *       libopenblas0-pthread for OpenBLAS; with only libblas3 it is the reference BLAS), and {@code netlib-java}, its
 *       pure-Java fallback.</li>
 * </ul>
 * Each binding runs in a JVM of its own (two OpenBLAS builds in one process crash).
 * <pre>
 * java [-Dseconds=0.5] [-Dprecision=s,d] -cp toylora-bench/target/benchmarks.jar dev.toylora.bench.BlasShapes [binding…]
 * OPENBLAS_NUM_THREADS=1 java -cp … dev.toylora.bench.BlasShapes      # one core, as the engine calls it
 * </pre>
 */
public final class BlasShapes {
    private BlasShapes() {}

    private static final int[][] LAYERS = {{784, 512}, {512, 256}, {256, 128}, {128, 10}};
    private static final int ROWS = 64;

    /** A product C = op(A)·op(B) of a given form, ready to run. */
    private interface Product {
        void run();
    }

    public static void main(String[] args) throws Exception {
        List<String> bindings = args.length > 0 ? List.of(args) : List.of("bytedeco", "bytedeco-array", "netlib", "netlib-java");
        double seconds = Double.parseDouble(System.getProperty("seconds", "0.5"));
        if (bindings.size() > 1) {
            // One JVM per binding: two OpenBLAS builds in one process interpose each other's symbols (netlib's dgemm_
            // lands in the preset's library) and crash.
            System.out.printf(Locale.ROOT, "%-15s %-6s %-32s %10s%n", "binding", "gemm", "product (row-major)", "GFLOP/s");
            for (String binding : bindings) {
                List<String> command = new java.util.ArrayList<>(List.of(
                        java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Dseconds=" + seconds, "-Dprecision=" + System.getProperty("precision", "s,d"), "-Dheader=false",
                        "-cp", System.getProperty("java.class.path"), BlasShapes.class.getName(), binding));
                int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
                if (exit != 0) System.out.println(binding + ": exited with " + exit);
            }
            return;
        }
        if (!"false".equals(System.getProperty("header"))) {
            System.out.printf(Locale.ROOT, "%-15s %-6s %-32s %10s%n", "binding", "gemm", "product (row-major)", "GFLOP/s");
        }
        for (String binding : bindings) {
            for (String precision : System.getProperty("precision", "s,d").split(",")) {
                for (int[] layer : LAYERS) {
                    int in = layer[0], out = layer[1];
                    // {transposeA, transposeB, m, n, k}
                    int[][] products = {{0, 1, ROWS, out, in}, {1, 0, out, in, ROWS}, {0, 0, ROWS, in, out}};
                    String[] names = {"z = x·Wᵀ   " + ROWS + "×" + in + " · (" + out + "×" + in + ")ᵀ",
                            "dW = dzᵀ·x (" + ROWS + "×" + out + ")ᵀ · " + ROWS + "×" + in,
                            "dx = dz·W  " + ROWS + "×" + out + " · " + out + "×" + in};
                    for (int p = 0; p < products.length; p++) {
                        int[] f = products[p];
                        Product product = make(binding, precision.equals("d"), f[0] == 1, f[1] == 1, f[2], f[3], f[4]);
                        double rate = measure(product, 2.0 * f[2] * f[3] * f[4], seconds);
                        System.out.printf(Locale.ROOT, "%-15s %-6s %-32s %10.1f%n", binding, precision + "gemm", names[p], rate);
                    }
                }
            }
        }
    }

    private static double measure(Product product, double flops, double seconds) {
        long warmupEnd = System.nanoTime() + (long) (0.2 * seconds * 1e9);
        while (System.nanoTime() < warmupEnd) product.run();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long runs = 0;
        long now;
        do {
            for (int i = 0; i < 10; i++) product.run();
            runs += 10;
            now = System.nanoTime();
        } while (now < end);
        return flops * runs / (now - start);
    }

    private static Product make(String binding, boolean inDouble, boolean transposeA, boolean transposeB, int m, int n, int k) {
        SplittableRandom random = new SplittableRandom(1);
        float[] fa = new float[m * k], fb = new float[k * n], fc = new float[m * n];
        double[] da = new double[m * k], db = new double[k * n], dc = new double[m * n];
        for (int i = 0; i < fa.length; i++) da[i] = fa[i] = (float) (2 * random.nextDouble() - 1);
        for (int i = 0; i < fb.length; i++) db[i] = fb[i] = (float) (2 * random.nextDouble() - 1);
        int lda = transposeA ? m : k, ldb = transposeB ? k : n, ldc = n;
        int ta = transposeA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        int tb = transposeB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        int major = openblas_nolapack.CblasRowMajor;
        switch (binding) {
            case "bytedeco": {
                if (inDouble) {
                    DoublePointer a = new DoublePointer(da), b = new DoublePointer(db), c = new DoublePointer(dc);
                    return () -> openblas_nolapack.cblas_dgemm(major, ta, tb, m, n, k, 1.0, a, lda, b, ldb, 0.0, c, ldc);
                }
                FloatPointer a = new FloatPointer(fa), b = new FloatPointer(fb), c = new FloatPointer(fc);
                return () -> openblas_nolapack.cblas_sgemm(major, ta, tb, m, n, k, 1f, a, lda, b, ldb, 0f, c, ldc);
            }
            case "bytedeco-array":
                return inDouble
                        ? () -> openblas_nolapack.cblas_dgemm(major, ta, tb, m, n, k, 1.0, da, lda, db, ldb, 0.0, dc, ldc)
                        : () -> openblas_nolapack.cblas_sgemm(major, ta, tb, m, n, k, 1f, fa, lda, fb, ldb, 0f, fc, ldc);
            case "netlib":
            case "netlib-java": {
                dev.ludovic.netlib.blas.BLAS blas = binding.equals("netlib")
                        ? dev.ludovic.netlib.blas.NativeBLAS.getInstance() : dev.ludovic.netlib.blas.JavaBLAS.getInstance();
                // Column-major (Fortran): the row-major C = op(A)·op(B) is the column-major Cᵀ = op(B)ᵀ·op(A)ᵀ.
                String transA = transposeA ? "T" : "N", transB = transposeB ? "T" : "N";
                return inDouble
                        ? () -> blas.dgemm(transB, transA, n, m, k, 1.0, db, ldb, da, lda, 0.0, dc, ldc)
                        : () -> blas.sgemm(transB, transA, n, m, k, 1f, fb, ldb, fa, lda, 0f, fc, ldc);
            }
            default:
                throw new IllegalArgumentException("unknown binding " + binding + "; bytedeco, bytedeco-array, netlib or netlib-java");
        }
    }
}
