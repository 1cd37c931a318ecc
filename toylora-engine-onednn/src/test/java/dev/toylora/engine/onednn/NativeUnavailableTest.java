package dev.toylora.engine.onednn;

import dev.toylora.api.Backend;
import dev.toylora.nativekernels.NativeKernels;
import dev.toylora.tck.NativeUnavailableContract;
import java.util.List;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.dnnl.global.dnnl;

/** The oneDNN engine without its binary, or without JavaCPP: refused with the reason (toylora-engine-tck). */
class NativeUnavailableTest extends NativeUnavailableContract {
    @Override
    protected Backend backend() {
        return new OneDnnBackend();
    }

    @Override
    protected String library() {
        return "oneDNN";
    }

    @Override
    protected String nativeLibraryName() {
        return "jniOpenCL"; // the preset loads OpenCL's binary first
    }

    @Override
    protected List<Class<?>> engineClasses() {
        return List.of(NativeKernels.class);
    }

    @Override
    protected List<Class<?>> libraryClasses() {
        return List.of(Loader.class, dnnl.class, org.bytedeco.opencl.global.OpenCL.class, com.sun.jna.Native.class);
    }
}
