package dev.toylora.runner.experiment;

import java.io.Serial;
import java.util.List;
import java.util.stream.Collectors;

/**
 * An experiment file, override or sweep is wrong. The message lists every problem found, one per line, each
 * as {@code <file>:<line>:<column>: <dotted.key>: <what is wrong, what was expected>}.
 */
public final class ExperimentException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    private final List<Problem> problems;

    public ExperimentException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
        if (problems.isEmpty()) throw new IllegalArgumentException("an ExperimentException needs at least one problem");
        this.problems = List.copyOf(problems);
    }

    public ExperimentException(Problem problem) {
        this(List.of(problem));
    }

    public List<Problem> problems() {
        return problems;
    }
}
