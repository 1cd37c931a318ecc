package dev.toylora.runner.experiment;

/**
 * One thing wrong with an experiment.
 *
 * @param location where: {@code file:line:column}, just {@code file} when the value is a default, or
 *                 {@code override 'key=value'} for a command-line override
 * @param key      the dotted key, e.g. {@code finetune.lora.rank} or {@code pretrain.classes[2]}; empty when the
 *                 problem is with the whole file
 * @param message  what is wrong and what was expected
 */
public record Problem(String location, String key, String message) {

    /** {@code location: key: message}, or {@code location: message} without a key. */
    @Override
    public String toString() {
        return key.isEmpty() ? location + ": " + message : location + ": " + key + ": " + message;
    }
}
