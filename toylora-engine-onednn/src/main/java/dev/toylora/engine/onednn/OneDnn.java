package dev.toylora.engine.onednn;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import dev.toylora.nativekernels.Sgemm;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;

/**
 * oneDNN's {@code dnnl_sgemm} through JavaCPP: loads the native library (bundled in the jar for one platform), checks one
 * product and multiplies row-major float matrices on the calling thread. oneDNN generates its kernels for the CPU it
 * finds (its instruction set, not a BLAS's core type), so no environment variable can hand it slower ones.
 */
final class OneDnn {
    private OneDnn() {}

    /**
     * The OpenMP runtime oneDNN runs on (the preset's libgomp, found by its soname once loaded). Its thread count is per
     * thread: each thread that multiplies sets it to 1 once, because the kernels already split every product over two
     * threads; left at the default, each half would start a team of its own (measured: 1.45× slower on 2 cores).
     */
    private interface OpenMp extends Library {
        void omp_set_num_threads(int n);

        int omp_get_max_threads();
    }

    private static OpenMp openMp;
    /** oneDNN's name for the instruction set it generates kernels for, found at load. */
    private static String isa = "";
    private static final ThreadLocal<Boolean> ONE_OPENMP_THREAD = ThreadLocal.withInitial(() -> {
        openMp.omp_set_num_threads(1);
        return Boolean.TRUE;
    });

    /** Loads oneDNN and its OpenMP runtime and checks that a product comes out right; throws otherwise. */
    static synchronized void load() {
        Loader.load(dnnl.class);
        if (openMp == null) openMp = Native.load("libgomp.so.1", OpenMp.class);
        ONE_OPENMP_THREAD.get();
        if (openMp.omp_get_max_threads() != 1) {
            throw new IllegalStateException("oneDNN's OpenMP runtime kept " + openMp.omp_get_max_threads() + " threads per product, asked for 1");
        }
        Sgemm.check(OneDnn::sgemm, "oneDNN");
        isa = isaName();
    }

    /** The instruction set oneDNN generates its kernels for here, by its own name ("avx512_core", "avx2", …). */
    static String isa() {
        return isa;
    }

    private static String isaName() {
        int isa = dnnl.dnnl_get_effective_cpu_isa();
        for (Field field : dnnl.class.getFields()) {
            if (field.getName().startsWith("dnnl_cpu_isa_") && field.getType() == int.class && Modifier.isStatic(field.getModifiers())) {
                try {
                    if (field.getInt(null) == isa && !field.getName().equals("dnnl_cpu_isa_default")) {
                        return field.getName().substring("dnnl_cpu_isa_".length());
                    }
                } catch (IllegalAccessException e) {
                    break;
                }
            }
        }
        return "isa " + isa;
    }

    /** {@link Sgemm#multiply}, by dnnl_sgemm on one OpenMP thread (the calling one). */
    static void sgemm(boolean transposeA, boolean transposeB, int m, int n, int k, float alpha, FloatPointer a, int lda,
                      FloatPointer b, int ldb, float beta, FloatPointer c, int ldc) {
        ONE_OPENMP_THREAD.get();
        int status;
        Memory before = SignalsHeld.hold();
        try {
            status = dnnl.dnnl_sgemm((byte) (transposeA ? 'T' : 'N'), (byte) (transposeB ? 'T' : 'N'), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        } finally {
            SignalsHeld.restore(before);
        }
        if (status != dnnl.dnnl_success) {
            throw new IllegalStateException("oneDNN's sgemm failed (status " + status + ") on a product of " + m + "×" + k + " and " + k + "×" + n);
        }
    }
}
