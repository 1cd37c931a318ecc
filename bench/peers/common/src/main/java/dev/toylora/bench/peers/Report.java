package dev.toylora.bench.peers;

import java.util.Locale;

/**
 * The peers' output, the format bench/pytorch_lora.py prints and bench/whole_run_report.py reads: progress on stderr;
 * on stdout only "key=value" lines. A stage's {@code seconds} run from its start (selecting its rows, building the
 * model or adapter) to the end of its last epoch's evaluation of the test set, like the runner's seconds.pretrain;
 * {@code train_seconds} are the training steps alone (no evaluation).
 */
public final class Report {

    private Report() {}

    public static void log(String message) {
        System.err.println(message);
        System.err.flush();
    }

    public static void out(String line) {
        System.out.println(line);
        System.out.flush();
    }

    public static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    public static void epoch(String stage, int epoch, int epochs, double loss, double[] acc, int images, double seconds) {
        log(f("%s epoch %d/%d: loss %.4f, test %.2f%% (0-7 %.2f%%, 8-9 %.2f%%), %.0f images/s, %.1f s",
                stage, epoch, epochs, loss, acc[0], acc[1], acc[2], images / seconds, seconds));
    }

    public static void stage(String stage, double seconds, double trainSeconds, int images, int epochs, long steps, String extra) {
        out(f("stage=%s seconds=%.3f train_seconds=%.3f samples=%d epochs=%d steps=%d images=%d%s",
                stage, seconds, trainSeconds, (long) images * epochs, epochs, steps, images, extra.isEmpty() ? "" : " " + extra));
    }

    public static void accuracy(String model, double[] acc) {
        out(f("accuracy model=%s old=%.2f new=%.2f overall=%.2f", model, acc[1], acc[2], acc[0]));
    }

    /** A value for a key=value line: spaces become underscores, so the line still splits on blanks. */
    public static String token(String value) {
        return value.trim().replaceAll("\\s+", "_");
    }
}
