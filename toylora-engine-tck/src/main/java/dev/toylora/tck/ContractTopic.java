package dev.toylora.tck;

import dev.toylora.api.Backend;

/** One topic of the contract: its tests run on the engine of the {@link EngineContract} that nests it. */
public abstract class ContractTopic {
    protected final EngineContract engine;

    protected ContractTopic(EngineContract engine) {
        this.engine = engine;
    }

    protected Backend backend() {
        return engine.backend();
    }

    protected Introspection introspection() {
        return engine.introspection();
    }

    /** True for an engine that computes in double (its unit roundoff is 2⁻⁵³ or less). */
    protected boolean doublePrecision() {
        return introspection().unitRoundoff() <= 0x1p-53;
    }
}
