package dev.toylora.engine.ojalgo;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.api.Backend;
import dev.toylora.api.Backends;
import org.junit.jupiter.api.Test;

/** What is particular to this engine; everything an engine must do is in {@link OjAlgoContractTest}. */
class OjAlgoBackendTest {

    @Test
    void isFoundAsAServiceByName() {
        Backend backend = Backends.get("ojalgo");
        assertInstanceOf(OjAlgoBackend.class, backend);
        assertTrue(backend.available());
        assertTrue(backend.version().endsWith(" numerics 3 (ojAlgo 57.1.0)"), backend.version());
        assertFalse(backend.version().startsWith("unknown"), "the engine version comes from the filtered resource: " + backend.version());
    }
}
