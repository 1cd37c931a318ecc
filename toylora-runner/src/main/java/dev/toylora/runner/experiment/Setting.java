package dev.toylora.runner.experiment;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares one key of an experiment file on the record component that holds it, so that each key is written down
 * once: the component's name in kebab-case is the key ({@code batchSize} → {@code batch-size}), its Java type the
 * key's type, the record it sits in its section; this annotation adds the default, the allowed range and the help
 * line. {@link Schema} reads the declarations; the parser, the overrides, the sweep checks and {@code runner keys}
 * all work from them. A component whose type is a record and that has no {@code @Setting} is a section.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Setting {

    /** One line on what the key does, for {@code runner keys}. */
    String help();

    /** The default, written as in YAML ({@code 16}, {@code [8, 9]}, {@code cosine}); empty when {@link #derived()}. */
    String value() default "";

    /** A default that follows from something else, in words (e.g. {@code data/<dataset>}); empty for a fixed one. */
    String derived() default "";

    /** The smallest number allowed; for a list, the smallest element. */
    double min() default Double.NEGATIVE_INFINITY;

    /** The largest number allowed; for a list, the largest element. */
    double max() default Double.POSITIVE_INFINITY;

    /** {@link #min()} itself is not allowed. */
    boolean minExcluded() default false;

    /** {@link #max()} itself is not allowed. */
    boolean maxExcluded() default false;

    /** For text: a regular expression the whole value must match; empty for any text that is not blank. */
    String pattern() default "";

    /** For text: what is expected, as an error message says it ("must be &lt;expected&gt;, got …"). */
    String expected() default "";

    /** For text: the only values allowed (an enum's constants need none here: they are the values). */
    String[] choices() default {};

    /** For a number at most another key of the same section, that key (e.g. warm-up epochs at most {@code epochs}). */
    String atMost() default "";

    /** For a list: what its elements are; this decides its messages. */
    ListOf list() default ListOf.NOTHING;

    /** For a list: the fewest elements allowed. */
    int minSize() default 1;

    /** For a list: the most elements allowed. */
    int maxSize() default Integer.MAX_VALUE;

    /** What a list holds. */
    enum ListOf {
        /** Not a list. */
        NOTHING,
        /** Distinct classes, e.g. {@code [8, 9]}. */
        CLASSES,
        /** Hidden-layer widths, e.g. {@code [512, 256, 128]}. */
        WIDTHS,
        /** Distinct layer names of the model, e.g. {@code [fc1, fc4]}. */
        LAYERS
    }
}
