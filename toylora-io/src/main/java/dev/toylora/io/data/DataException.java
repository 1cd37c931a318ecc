package dev.toylora.io.data;

import org.jspecify.annotations.Nullable;

/**
 * A data file is missing, malformed or not the one expected. The message names the file and what
 * was expected, and where it helps, how to get a good copy.
 */
public class DataException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DataException(String message) {
        super(message);
    }

    public DataException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
