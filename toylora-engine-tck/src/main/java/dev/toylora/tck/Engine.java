package dev.toylora.tck;

import dev.toylora.api.Backend;

/** An engine under test: its backend and its test hooks. */
public record Engine(Backend backend, Introspection introspection) {}
