/**
 * The engine contract as abstract JUnit 5 tests. An engine module adds this module in test scope and one class:
 * <pre>{@code
 * class MyEngineContractTest extends EngineContract {
 *     protected Backend backend() { return new MyBackend(); }
 *     protected Introspection introspection() { return new MyIntrospection(); }   // the engine's test hooks
 *     protected Optional<Engine> reference() { return Optional.of(new Engine(new OjAlgoBackend(), new OjAlgoIntrospection())); }
 * }
 * }</pre>
 * and runs every check in the nested classes of {@link dev.toylora.tck.EngineContract}: gradients against finite
 * differences, LoRA's identities, parameter counts, errors, determinism, training, and agreement with the reference
 * engine for the same weights, batch and seeds.
 */
@NullMarked
package dev.toylora.tck;

import org.jspecify.annotations.NullMarked;
