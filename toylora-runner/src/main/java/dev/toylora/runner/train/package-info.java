@NullMarked
package dev.toylora.runner.train;

import org.jspecify.annotations.NullMarked;
