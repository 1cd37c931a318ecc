package dev.toylora.engine.onednn;

import dev.toylora.api.Backend;
import dev.toylora.engine.java.JavaBackend;
import dev.toylora.tck.Engine;
import dev.toylora.tck.EngineContract;
import dev.toylora.tck.Introspection;
import dev.toylora.tck.ModelIntrospection;
import java.util.Optional;

/** The whole engine contract (toylora-engine-tck) on the oneDNN engine, agreeing with the plain-Java reference engine. */
class OneDnnContractTest extends EngineContract {

    @Override
    protected Backend backend() {
        return new OneDnnBackend();
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
