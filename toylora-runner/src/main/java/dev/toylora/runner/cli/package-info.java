@NullMarked
package dev.toylora.runner.cli;

import org.jspecify.annotations.NullMarked;
