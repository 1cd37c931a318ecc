/** Pictures of digits prepared as MNIST's were, for the runner's {@code predict} command. */
@NullMarked
package dev.toylora.runner.predict;

import org.jspecify.annotations.NullMarked;
