package dev.toylora.engine.java;

import dev.toylora.api.Backend;
import dev.toylora.tck.EngineContract;
import dev.toylora.tck.Introspection;
import dev.toylora.tck.ModelIntrospection;

/** The whole engine contract on the plain-Java engine: the reference the other engines agree with. */
class JavaContractTest extends EngineContract {

    @Override
    protected Backend backend() {
        return new JavaBackend();
    }

    @Override
    protected Introspection introspection() {
        return new ModelIntrospection();
    }
}
