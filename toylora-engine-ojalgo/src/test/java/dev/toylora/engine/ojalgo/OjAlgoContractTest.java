package dev.toylora.engine.ojalgo;

import dev.toylora.api.Backend;
import dev.toylora.engine.java.JavaBackend;
import dev.toylora.tck.Engine;
import dev.toylora.tck.EngineContract;
import dev.toylora.tck.Introspection;
import dev.toylora.tck.ModelIntrospection;
import java.util.Optional;

/** The whole engine contract (toylora-engine-tck) on the ojAlgo engine, agreeing with the plain-Java reference. */
class OjAlgoContractTest extends EngineContract {

    @Override
    protected Backend backend() {
        return new OjAlgoBackend();
    }

    @Override
    protected Introspection introspection() {
        return new ModelIntrospection();
    }

    @Override
    protected Optional<Engine> reference() {
        return Optional.of(new Engine(new JavaBackend(), new ModelIntrospection()));
    }
}
