package dev.toylora.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendsTest {

    /** An engine that only has a name, a rank and maybe a reason it cannot run. */
    record Fake(String name, int rank, String unavailableReason) implements Backend {
        @Override
        public String version() {
            return "test";
        }

        @Override
        public Network create(NetworkSpec spec, long seed) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Network restore(NetworkSpec spec, Map<String, Tensor> weights) {
            throw new UnsupportedOperationException();
        }
    }

    /** Listed in a services file of the test's own: a native engine. */
    public static final class Native extends Delegate {
        public Native() {
            super(new Fake("native", 100, ""));
        }
    }

    /** Listed in a services file of the test's own: a pure-Java engine. */
    public static final class Reference extends Delegate {
        public Reference() {
            super(new Fake("reference", 10, ""));
        }
    }

    /** Listed in a services file of the test's own: ranks highest but cannot run. */
    public static final class Broken extends Delegate {
        public Broken() {
            super(new Fake("broken", 1000, "no native library"));
        }
    }

    abstract static class Delegate implements Backend {
        private final Backend fake;

        Delegate(Backend fake) {
            this.fake = fake;
        }

        @Override public String name() { return fake.name(); }
        @Override public String version() { return fake.version(); }
        @Override public int rank() { return fake.rank(); }
        @Override public String unavailableReason() { return fake.unavailableReason(); }
        @Override public Network create(NetworkSpec spec, long seed) { return fake.create(spec, seed); }
        @Override public Network restore(NetworkSpec spec, Map<String, Tensor> weights) { return fake.restore(spec, weights); }
    }

    @Test
    void theHighestRankedAvailableEngineWins() {
        Backend ojalgo = new Fake("ojalgo", 50, "");
        assertEquals(ojalgo, Backends.best(List.of(new Fake("reference", 10, ""), ojalgo, new Fake("openblas", 100, "no native library"))));
        Backend openblas = new Fake("openblas", 100, "");
        assertEquals(openblas, Backends.best(List.of(ojalgo, openblas)));
    }

    @Test
    void equalRanksAreBrokenByName() {
        Backend a = new Fake("alpha", 50, "");
        Backend b = new Fake("beta", 50, "");
        assertEquals(a, Backends.best(List.of(b, a)));
        assertEquals(a, Backends.best(List.of(a, b)));
    }

    @Test
    void anEngineThatSaysNothingRanksZero() {
        Backend plain = new Backend() {
            @Override public String name() { return "plain"; }
            @Override public String version() { return "test"; }
            @Override public Network create(NetworkSpec spec, long seed) { throw new UnsupportedOperationException(); }
            @Override public Network restore(NetworkSpec spec, Map<String, Tensor> weights) { throw new UnsupportedOperationException(); }
        };
        assertEquals(0, plain.rank());
        Backend reference = new Fake("reference", 10, "");
        assertEquals(reference, Backends.best(List.of(plain, reference)));
    }

    @Test
    void noneAvailableSaysWhatThereIsAndHowToAddOne() {
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> Backends.best(List.of()));
        assertTrue(none.getMessage().startsWith("no engine is on the classpath; add one"), none.getMessage());
        assertTrue(none.getMessage().contains("toylora-engine-ojalgo") && none.getMessage().contains("engine-openblas.jar"), none.getMessage());
        IllegalStateException broken = assertThrows(IllegalStateException.class,
                () -> Backends.best(List.of(new Fake("openblas", 100, "no native library"))));
        assertTrue(broken.getMessage().startsWith("no engine on the classpath can run here: openblas (no native library); add one"),
                broken.getMessage());
    }

    @Test
    void anUnknownNameSaysWhatThereIsAndHowToAddIt() throws Exception {
        try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.get("openblas", empty));
            assertEquals("no backend named 'openblas'; none is on the classpath. To add it, put engine-openblas.jar on the class path,"
                    + " or, for runner.jar, into a plugins/ folder beside runner.jar (or the folder --plugins names);"
                    + " see docs/engines.md", e.getMessage());
        }
        IllegalArgumentException odd = assertThrows(IllegalArgumentException.class, () -> Backends.get("../x", BackendsTest.class.getClassLoader()));
        assertTrue(odd.getMessage().contains("put the engine's jar on the class path"), odd.getMessage());
    }

    @Test
    void bestLooksThroughTheClassLoader(@TempDir Path dir) throws Exception {
        Path services = dir.resolve("META-INF/services/" + Backend.class.getName());
        Files.createDirectories(services.getParent());
        Files.writeString(services, Reference.class.getName() + "\n" + Broken.class.getName() + "\n" + Native.class.getName() + "\n");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, BackendsTest.class.getClassLoader())) {
            assertEquals("native", Backends.best(loader).name());
            assertEquals(List.of("broken", "native", "reference"), Backends.all(loader).stream().map(Backend::name).toList());
        }
    }
}
