@NullMarked
package dev.toylora.runner.results;

import org.jspecify.annotations.NullMarked;
