package dev.toylora.io.safetensors;

/** A checkpoint file that cannot be read or does not fit: the message names the file and the problem. */
public final class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(message);
    }
}
