package dev.toylora.runner.serve;

/** A request the server refuses: the 4xx status and a one-line message naming the problem. */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    ApiException(int status, String message) {
        super(message, null, false, false); // no stack trace: these are answers, not faults
        this.status = status;
    }

    int status() {
        return status;
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    static ApiException notFound(String message) {
        return new ApiException(404, message);
    }

    static ApiException tooLarge(String message) {
        return new ApiException(413, message);
    }

    static ApiException busy(String message) {
        return new ApiException(429, message);
    }
}
