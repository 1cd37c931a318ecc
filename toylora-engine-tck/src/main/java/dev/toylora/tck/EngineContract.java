package dev.toylora.tck;

import dev.toylora.api.Backend;
import java.util.Optional;
import org.junit.jupiter.api.Nested;

/**
 * The whole engine contract. Extend it in an engine module's tests; every nested class then runs on that engine
 * (JUnit discovers nested classes inherited from here).
 */
public abstract class EngineContract {

    /** A fresh instance of the engine under test. */
    protected abstract Backend backend();

    /** The engine's test hooks. */
    protected abstract Introspection introspection();

    /**
     * The engine this one must agree with for the same weights, batch and seeds; empty for the reference itself (the
     * agreement tests are then skipped).
     */
    protected Optional<Engine> reference() {
        return Optional.empty();
    }

    @Nested
    class Basics extends BackendContract {
        Basics() { super(EngineContract.this); }
    }

    @Nested
    class GradientCheck extends GradientCheckContract {
        GradientCheck() { super(EngineContract.this); }
    }

    @Nested
    class LoraIdentities extends LoraIdentityContract {
        LoraIdentities() { super(EngineContract.this); }
    }

    @Nested
    class AdapterSets extends AdapterSetContract {
        AdapterSets() { super(EngineContract.this); }
    }

    @Nested
    class ParameterCounts extends ParameterCountContract {
        ParameterCounts() { super(EngineContract.this); }
    }

    @Nested
    class ErrorMessages extends ErrorMessagesContract {
        ErrorMessages() { super(EngineContract.this); }
    }

    @Nested
    class Determinism extends DeterminismContract {
        Determinism() { super(EngineContract.this); }
    }

    @Nested
    class Training extends TrainingContract {
        Training() { super(EngineContract.this); }
    }

    @Nested
    class Retention extends RetentionContract {
        Retention() { super(EngineContract.this); }
    }

    @Nested
    class CrossEngineAgreement extends CrossEngineContract {
        CrossEngineAgreement() { super(EngineContract.this); }
    }
}
