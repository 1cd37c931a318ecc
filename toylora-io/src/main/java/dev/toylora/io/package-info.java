/**
 * Files and data sets for users of ToyLoRA's API, without the runner: {@link dev.toylora.io.ModelFiles} saves and loads
 * bases and LoRA adapters ({@code .safetensors}, or PEFT's adapter directories), and
 * {@link dev.toylora.io.data.Datasets} reads MNIST, Fashion-MNIST, any IDX pair or a folder of images per class into
 * {@link dev.toylora.io.data.Dataset}s that yield {@link dev.toylora.api.Batch}es.
 *
 * <p>Nothing here is null: every package is {@code @NullMarked}.
 */
@NullMarked
package dev.toylora.io;

import org.jspecify.annotations.NullMarked;
