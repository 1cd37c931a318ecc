package dev.toylora.engine.openblas;

import dev.toylora.api.Backend;
import dev.toylora.engine.ojalgo.OjAlgoBackend;
import dev.toylora.engine.ojalgo.OjAlgoIntrospection;
import dev.toylora.tck.Engine;
import dev.toylora.tck.EngineContract;
import dev.toylora.tck.Introspection;
import java.util.Optional;

/** The whole engine contract (toylora-engine-tck) on the OpenBLAS engine, agreeing with the ojAlgo engine. */
class OpenBlasContractTest extends EngineContract {

    @Override
    protected Backend backend() {
        return new OpenBlasBackend();
    }

    @Override
    protected Introspection introspection() {
        return new OpenBlasIntrospection();
    }

    @Override
    protected Optional<Engine> reference() {
        return Optional.of(new Engine(new OjAlgoBackend(), new OjAlgoIntrospection()));
    }
}
