package dev.toylora.engine.ojalgo;

import dev.toylora.api.Backend;
import dev.toylora.tck.EngineContract;
import dev.toylora.tck.Introspection;

/** The whole engine contract (toylora-engine-tck) on the ojAlgo engine, the reference others agree with. */
class OjAlgoContractTest extends EngineContract {

    @Override
    protected Backend backend() {
        return new OjAlgoBackend();
    }

    @Override
    protected Introspection introspection() {
        return new OjAlgoIntrospection();
    }
}
