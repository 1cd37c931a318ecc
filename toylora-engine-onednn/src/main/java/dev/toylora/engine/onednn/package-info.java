/**
 * The ToyLoRA engine on oneDNN: the model of {@code toylora-model} on the shared native-memory kernels of
 * {@code toylora-native-kernels}, in float32, the matrix products by {@code dnnl_sgemm} through JavaCPP's oneDNN preset
 * (the native library rides inside the jar). oneDNN generates each product's kernel for the instruction set it finds;
 * every call runs on one OpenMP thread, since the kernels split the work over two threads themselves.
 */
@NullMarked
package dev.toylora.engine.onednn;

import org.jspecify.annotations.NullMarked;
