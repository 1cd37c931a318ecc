@NullMarked
package dev.toylora.runner.checkpoint;

import org.jspecify.annotations.NullMarked;
