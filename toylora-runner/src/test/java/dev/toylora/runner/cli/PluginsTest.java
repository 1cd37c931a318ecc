package dev.toylora.runner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugins folder: which jars it loads, and that a command runs with them as its context class loader. */
class PluginsTest {
    @TempDir
    Path folder;

    @Test
    void aMissingFolderIsRefusedWithItsName() {
        Path missing = folder.resolve("nope");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Plugins.folder(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void withoutAnOptionOrAJarThereIsNoDefaultFolder() {
        // Tests run from target/classes, not from runner.jar, so there is no plugins/ beside a jar.
        assertEquals(Optional.empty(), Plugins.folder(null));
    }

    @Test
    void theJarsOfTheFolderAreLoadedAboveTheRunner() throws Exception {
        emptyJar("b-engine.jar");
        emptyJar("a-engine.jar");
        Files.writeString(folder.resolve("notes.txt"), "not a jar");
        assertEquals(List.of(folder.resolve("a-engine.jar"), folder.resolve("b-engine.jar")), Plugins.jars(folder));
        ClassLoader parent = getClass().getClassLoader();
        URLClassLoader loader = assertInstanceOf(URLClassLoader.class, Plugins.loader(Optional.of(folder), parent));
        assertSame(parent, loader.getParent());
        assertEquals(2, loader.getURLs().length);
        assertSame(parent, Plugins.loader(Optional.empty(), parent), "no folder, no new loader");
    }

    @Test
    void aCommandRunsWithThePluginsAsContextClassLoaderAndPutsTheOldOneBack() throws Exception {
        emptyJar("engine.jar");
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        ClassLoader during = Plugins.run(folder, () -> Thread.currentThread().getContextClassLoader());
        assertInstanceOf(URLClassLoader.class, during);
        assertSame(before, Thread.currentThread().getContextClassLoader());
    }

    @Test
    void theOptionWorksBeforeAndAfterASubcommand() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, Main.execute(new PrintWriter(out), new PrintWriter(err), "--plugins", folder.toString(), "backends"), err.toString());
        assertTrue(out.toString().contains("ojalgo"), out.toString());
        assertEquals(0, Main.execute(new PrintWriter(out), new PrintWriter(err), "backends", "--plugins", folder.toString()), err.toString());
        assertEquals(2, Main.execute(new PrintWriter(out), new PrintWriter(err), "backends", "--plugins", folder.resolve("nope").toString()));
        assertTrue(err.toString().contains("is not a directory"), err.toString());
    }

    private void emptyJar(String name) throws Exception {
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(folder.resolve(name)))) {
            jar.flush();
        }
    }
}
