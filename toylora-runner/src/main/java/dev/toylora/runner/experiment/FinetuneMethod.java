package dev.toylora.runner.experiment;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** How the base learns the new classes: {@code finetune.method}. */
public enum FinetuneMethod {
    /** A LoRA adapter trains; the base stays frozen. */
    LORA,
    /** Every base weight trains; no adapter. */
    FULL,
    /** No fine-tuning: pretrain and evaluate only. */
    NONE;

    /** The name experiment files and metrics.json use: {@code lora}, {@code full}, {@code none}. */
    @JsonValue
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The method called {@code key} in a file, if there is one. */
    public static Optional<FinetuneMethod> of(String key) {
        return Arrays.stream(values()).filter(m -> m.key().equals(key)).findFirst();
    }

    /** Whether this method trains anything after pretraining. */
    public boolean finetunes() {
        return this != NONE;
    }

    @Override
    public String toString() {
        return key();
    }
}
