package dev.toylora.runner.experiment;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where replayed old-class examples come from: {@code finetune.replay-source}. */
public enum ReplaySource {
    /** Old training images, kept for the purpose. */
    IMAGES,
    /** Made from the frozen base alone by model inversion: no old image is kept (see {@code finetune.synthetic}). */
    SYNTHETIC;

    @JsonValue
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return key();
    }

    /** Leaves the default out of written files, so experiments that do not use it read as before. */
    public static final class IsDefault {
        @Override
        public boolean equals(Object value) {
            return value == IMAGES;
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }
}
