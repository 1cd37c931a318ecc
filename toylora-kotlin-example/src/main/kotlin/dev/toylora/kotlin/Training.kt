package dev.toylora.kotlin

import dev.toylora.api.Adapter
import dev.toylora.api.Batch
import dev.toylora.api.LoraSpec
import dev.toylora.api.Network
import dev.toylora.api.Trainer

/**
 * Kotlin extensions over ToyLoRA's Java API. The API itself has no listener type (a runner's training loop lives
 * outside it), so these add the callback as a Kotlin function type: `trainer.train(batches) { step -> … }`.
 */

/** What one step did, handed to a listener. */
data class Step(val index: Long, val loss: Double, val learningRate: Double)

/** What a run of steps did. */
data class TrainingMetrics(val steps: Int, val firstLoss: Double, val lastLoss: Double, val meanLoss: Double) {
    val improved: Boolean get() = lastLoss < firstLoss
}

/** Takes one step per batch, calling [onStep] after each, and sums the run up. */
fun Trainer.train(batches: Iterable<Batch>, onStep: (Step) -> Unit = {}): TrainingMetrics {
    val losses = batches.map { batch ->
        val loss = step(batch)
        onStep(Step(steps(), loss, learningRate()))
        loss
    }
    require(losses.isNotEmpty()) { "no batches to train on" }
    return TrainingMetrics(losses.size, losses.first(), losses.last(), losses.average())
}

/** Attaches an adapter for the length of [block], then detaches it (the base comes back bit for bit). */
inline fun <T> Network.withAdapter(spec: LoraSpec, seed: Long, block: (Adapter) -> T): T {
    val adapter = attach(spec, seed)
    try {
        return block(adapter)
    } finally {
        detach()
    }
}

/** `lora(rank = 4, "fc1", "fc2")`: plain LoRA with PEFT's usual alpha = 2·r unless given (Kotlin's named arguments over the builder). */
fun lora(rank: Int, vararg targets: String, alpha: Double = 2.0 * rank, trainBias: Boolean = false, dropout: Double = 0.0): LoraSpec =
    LoraSpec.builder().rank(rank).alpha(alpha).targets(*targets).trainBias(trainBias).dropout(dropout).build()
