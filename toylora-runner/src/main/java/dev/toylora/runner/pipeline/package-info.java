@NullMarked
package dev.toylora.runner.pipeline;

import org.jspecify.annotations.NullMarked;
