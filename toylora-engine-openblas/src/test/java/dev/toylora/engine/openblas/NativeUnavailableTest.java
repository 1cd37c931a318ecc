package dev.toylora.engine.openblas;

import dev.toylora.api.Backend;
import dev.toylora.nativekernels.NativeKernels;
import dev.toylora.tck.NativeUnavailableContract;
import java.util.List;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

/** The OpenBLAS engine without its binary, or without JavaCPP: refused with the reason (toylora-engine-tck). */
class NativeUnavailableTest extends NativeUnavailableContract {
    @Override
    protected Backend backend() {
        return new OpenBlasBackend();
    }

    @Override
    protected String library() {
        return "OpenBLAS";
    }

    @Override
    protected String nativeLibraryName() {
        return "jniopenblas_nolapack";
    }

    @Override
    protected List<Class<?>> engineClasses() {
        return List.of(NativeKernels.class);
    }

    @Override
    protected List<Class<?>> libraryClasses() {
        return List.of(Loader.class, openblas_nolapack.class);
    }
}
