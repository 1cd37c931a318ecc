package dev.toylora.kotlin

import dev.toylora.api.Backend
import dev.toylora.api.Backends
import dev.toylora.api.Batch
import dev.toylora.api.LoraSpec
import dev.toylora.api.Network
import dev.toylora.api.NetworkSpec
import dev.toylora.api.OptimizerSpec
import dev.toylora.api.Tensor
import java.util.SplittableRandom
import kotlin.test.Test
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/**
 * The API from Kotlin, compiled with `-Xjspecify-annotations=strict -Werror`: every Java type arrives as a Kotlin
 * non-null type (no `?.`, `!!` or platform type anywhere; [NullnessTest] shows the compiler holding to it), lists are
 * Kotlin lists, and listeners are lambdas.
 */
class KotlinApiTest {
    private val backend: Backend = Backends.get("ojalgo")
    private val spec = NetworkSpec(8, listOf(16), 3, 0.1)

    /** Three clusters in 8 dimensions; `label` maps a cluster to its label. */
    private fun clusters(rows: Int, seed: Long, label: (Int) -> Int = { it }): Batch {
        val random = SplittableRandom(seed)
        val centres = SplittableRandom(100).let { r -> Array(3) { DoubleArray(8) { 2 * r.nextDouble() - 1 } } }
        val features = FloatArray(rows * 8)
        val labels = IntArray(rows) { i -> label(i % 3) }
        for (i in 0 until rows) for (k in 0 until 8) features[i * 8 + k] = (centres[i % 3][k] + 0.3 * (random.nextDouble() - 0.5)).toFloat()
        return Batch(features, labels, rows, 8)
    }

    @Test
    fun `a backend is found by name and its answers are non-null Kotlin types`() {
        val name: String = backend.name()
        val reason: String = backend.unavailableReason()
        assertEquals("ojalgo", name)
        assertEquals("", reason)
        val names: List<String> = Backends.all().map { it.name() }
        assertTrue("ojalgo" in names)
        val error = assertFailsWith<IllegalArgumentException> { Backends.get("no-such-engine") }
        assertTrue(error.message.orEmpty().contains("available: "))
    }

    @Test
    fun `pretrain with a lambda listener, then read the metrics`() {
        val network: Network = backend.create(spec, 1)
        val data = clusters(96, 2)
        val seen = mutableListOf<Step>()
        val metrics = network.trainer(OptimizerSpec.adam(1e-2), 3).train(List(60) { data }) { step -> seen += step }
        assertEquals(60, metrics.steps)
        assertEquals((1L..60L).toList(), seen.map { it.index })
        assertTrue(metrics.improved, "loss ${metrics.firstLoss} → ${metrics.lastLoss}")
        assertTrue(network.accuracy(data) > 0.9, "accuracy ${network.accuracy(data)}")
    }

    @Test
    fun `attach an adapter, train it on new labels, and get the base back`() {
        val network = backend.create(spec, 1)
        val original = clusters(96, 2)
        network.trainer(OptimizerSpec.adam(1e-2), 3).train(List(60) { original })
        val base: Map<String, Tensor> = network.weights()
        val relabelled = clusters(96, 2) { (it + 1) % 3 }

        val adapted = network.withAdapter(lora(rank = 2, "fc1", "fc2", trainBias = true), seed = 4) { adapter ->
            assertEquals(adapter.trainableParameters(), network.trainableParameterCount())
            assertTrue(network.layers().all { it.frozen() })
            val metrics = network.trainer(OptimizerSpec.adam(2e-2), 5).train(List(150) { relabelled }) { (index, loss) ->
                assertTrue(loss.isFinite(), "step $index: loss $loss")
            }
            assertTrue(metrics.improved)
            // Optional<Adapter> is a non-null Optional of a non-null Adapter: no `!!` anywhere.
            assertEquals(adapter.spec(), network.adapter().orElseThrow().spec())
            network.accuracy(relabelled)
        }
        assertTrue(adapted > 0.8, "accuracy on the new labels $adapted")
        assertTrue(network.adapter().isEmpty)
        val after = network.weights()
        for ((name, tensor) in base) assertContentEquals(tensor.data(), after.getValue(name).data(), name)
    }

    @Test
    fun theJavaApiReadsWellFromKotlin() {
        val spec = LoraSpec.builder().rank(8).alpha(16).targets("fc1").build()   // an Int alpha compiles
        assertEquals(2.0, spec.scaling())
        assertEquals(LoraSpec.of(8, 16.0, listOf("fc1")), LoraSpec.of(8, 16, listOf("fc1")))
        val network = backend.create(NetworkSpec(8, listOf(16), 3, 0.1), 1)
        network.use { net ->
            val predicted = net.predict(Batch.unlabelled(FloatArray(2 * 8), 2, 8))
            assertEquals(2, predicted.size)
        }
    }
}
