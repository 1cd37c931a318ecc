package dev.toylora.bench.peers;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * Which kernel the openblas engine's OpenBLAS chooses on this CPU. Loads the same JavaCPP preset the engine loads
 * ({@code openblas_nolapack}, version from the parent pom), in the environment it is started in (bench/whole-run.sh
 * starts it with the machine's OPENBLAS_* overrides and without), and prints one key=value line:
 *
 * <pre>openblas core=Haswell config=OpenBLAS_0.3.31_DYNAMIC_ARCH_... version=0.3.31 preset=0.3.31-1.5.13
 *   coretype_env=Haswell l2_size_env=512 sgemm_gflops_1t=... max_rel_err=...</pre>
 *
 * sgemm_gflops_1t is one thread's rate at the pretraining forward product of fc1 (64×784 by 784×512), best of a
 * few short timings; max_rel_err compares that product with a double-precision reference, so a kernel that computes
 * wrongly on this CPU shows here (and exits 1 past 1e-4).
 */
public final class OpenBlasProbe {

    public static void main(String[] args) {
        Loader.load(openblas_nolapack.class);
        openblas_nolapack.blas_set_num_threads(1);
        LoadedOpenBlas loaded = LoadedOpenBlas.find("libopenblas").orElseThrow(
                () -> new IllegalStateException("OpenBLAS loaded (JavaCPP) but no libopenblas* in /proc/self/maps"));
        String core = loaded.core();
        String config = loaded.config();
        int m = 64, k = 784, n = 512;
        Random random = new Random(1);
        float[] a = new float[m * k], b = new float[k * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) random.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = (float) random.nextGaussian() * 0.05f;
        double err = 0;
        double best = 0;
        try (FloatPointer pa = new FloatPointer(a); FloatPointer pb = new FloatPointer(b); FloatPointer pc = new FloatPointer((long) m * n)) {
            sgemm(m, n, k, pa, pb, pc);
            float[] c = new float[m * n];
            pc.get(c);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0, mag = 0;
                    for (int p = 0; p < k; p++) {
                        s += (double) a[i * k + p] * b[p * n + j];
                        mag += Math.abs((double) a[i * k + p] * b[p * n + j]);
                    }
                    err = Math.max(err, Math.abs(c[i * n + j] - s) / Math.max(mag, 1e-30));
                }
            }
            for (int round = 0; round < 5; round++) {
                long start = System.nanoTime();
                int reps = 0;
                while (System.nanoTime() - start < 60_000_000L) {
                    sgemm(m, n, k, pa, pb, pc);
                    reps++;
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                best = Math.max(best, 2.0 * m * n * k * reps / seconds / 1e9);
            }
        }
        String version = config.replaceFirst("^OpenBLAS ([0-9.]+).*$", "$1");
        System.out.println(String.format(Locale.ROOT,
                "openblas core=%s config=%s version=%s preset=%s library=%s coretype_env=%s l2_size_env=%s sgemm_gflops_1t=%.1f max_rel_err=%.1e",
                token(core), token(config), token(version), token(presetVersion()), token(Path.of(loaded.path()).getFileName().toString()),
                env("OPENBLAS_CORETYPE"), env("OPENBLAS_L2_SIZE"), best, err));
        if (!(err < 1e-4)) {
            System.err.println("openblas-probe: the " + core + " kernel multiplied wrongly (max relative error " + err + ")");
            System.exit(1);
        }
    }

    private static void sgemm(int m, int n, int k, FloatPointer a, FloatPointer b, FloatPointer c) {
        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans, openblas_nolapack.CblasNoTrans,
                m, n, k, 1f, a, k, b, n, 0f, c, n);
    }

    private static String presetVersion() {
        Package p = openblas_nolapack.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "?" : v;
    }

    private static String env(String name) {
        String v = System.getenv(name);
        return v == null ? "(unset)" : token(v);
    }

    private static String token(String v) {
        return v.trim().replaceAll("\\s+", "_");
    }
}
