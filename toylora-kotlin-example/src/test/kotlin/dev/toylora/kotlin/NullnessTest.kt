package dev.toylora.kotlin

import dev.toylora.api.Backend
import java.io.ByteArrayOutputStream
import java.io.File
import java.io.PrintStream
import java.nio.file.Files
import java.nio.file.Path
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import org.jetbrains.kotlin.cli.common.ExitCode
import org.jetbrains.kotlin.cli.jvm.K2JVMCompiler
import org.jspecify.annotations.NullMarked

/**
 * The API's types reach Kotlin as non-null types, not platform types: with the JSpecify annotations read strictly
 * (as this module's build reads them), handing `null` to the API does not compile; with them ignored it would.
 * (Kotlin 2's command-line compiler does not report a redundant `?.` on a non-null type, so the proof is the error.)
 */
class NullnessTest {
    private val snippet = """
        import dev.toylora.api.LoraSpec
        fun adapterWithoutTargets(): LoraSpec = LoraSpec(4, 8.0, null, false, 0.0, false)
    """.trimIndent()

    @Test
    fun `null handed to the API is a compile error under strict JSpecify`() {
        val (exit, messages) = compile("strict")
        assertEquals(ExitCode.COMPILATION_ERROR, exit, messages)
        assertTrue(messages.contains("null cannot be a value of a non-null type"), messages)
    }

    @Test
    fun `without the annotations it would slip through as a platform type`() {
        val (exit, messages) = compile("ignore")
        assertEquals(ExitCode.OK, exit, messages)
    }

    private fun compile(jspecify: String): Pair<ExitCode, String> {
        val folder: Path = Files.createTempDirectory("nullness")
        try {
            val source = folder.resolve("Snippet.kt").also { Files.writeString(it, snippet) }
            val classPath = listOf(Backend::class.java, NullMarked::class.java, Unit::class.java)
                .joinToString(File.pathSeparator) { File(it.protectionDomain.codeSource.location.toURI()).path }
            val messages = ByteArrayOutputStream()
            val exit = K2JVMCompiler().exec(PrintStream(messages, true, Charsets.UTF_8),
                "-no-stdlib", "-no-reflect", "-Xjspecify-annotations=$jspecify", "-cp", classPath,
                "-d", folder.resolve("out").toString(), source.toString())
            return exit to messages.toString(Charsets.UTF_8)
        } finally {
            folder.toFile().deleteRecursively()
        }
    }
}
