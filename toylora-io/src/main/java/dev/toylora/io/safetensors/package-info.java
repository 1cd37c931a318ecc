@NullMarked
package dev.toylora.io.safetensors;

import org.jspecify.annotations.NullMarked;
