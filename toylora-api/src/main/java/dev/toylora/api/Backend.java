package dev.toylora.api;

import java.util.Map;

/**
 * An engine that does the math. Implementations are listed in
 * {@code META-INF/services/dev.toylora.api.Backend} and found through {@link Backends}; an engine
 * is a jar on the classpath and a {@code backend:} name in an experiment file, nothing else.
 */
public interface Backend {
    /** The name experiment files use, e.g. {@code ojalgo}. */
    String name();

    /** The engine's version (and that of the library under it). */
    String version();

    /** Why this engine cannot run here (a native library that did not load, say), or empty when it can. */
    default String unavailableReason() {
        return "";
    }

    default boolean available() {
        return unavailableReason().isEmpty();
    }

    /**
     * How strongly this engine is preferred when an experiment names none: {@link Backends#best()} takes the
     * available engine of the highest rank, as DJL picks its default engine. By convention native BLAS engines
     * rank 100, engines on a tuned pure-Java library (ojAlgo) 50, a plain-Java reference engine 10; an engine
     * that says nothing ranks 0, below all of them.
     */
    default int rank() {
        return 0;
    }

    /** A new network with weights initialised as PyTorch's {@code nn.Linear} does, from {@code seed}. */
    Network create(NetworkSpec spec, long seed);

    /** A network with the given weights (names and shapes as {@link Network#weights()} gives them). */
    Network restore(NetworkSpec spec, Map<String, Tensor> weights);
}
