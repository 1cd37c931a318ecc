package dev.toylora.runner.cli;

import dev.toylora.runner.train.EpochResult;
import dev.toylora.runner.train.TrainingListener;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A progress bar on an interactive terminal; one log line per epoch everywhere. */
final class ConsoleProgress implements TrainingListener {
    private static final Logger log = LoggerFactory.getLogger("dev.toylora.progress");

    private final boolean interactive;
    private @Nullable ProgressBar bar;

    ConsoleProgress(boolean interactive) {
        this.interactive = interactive;
    }

    static boolean terminalIsInteractive() {
        return System.console() != null && System.getenv("CI") == null && System.getenv("TERM") != null
                && !"dumb".equals(System.getenv("TERM"));
    }

    @Override
    public void stageStarted(String stage, int epochs, long stepsPerEpoch, long samples) {
        if (!interactive) return;
        bar = new ProgressBarBuilder().setTaskName(stage).setInitialMax(epochs * stepsPerEpoch)
                .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUnit(" steps", 1).setUpdateIntervalMillis(250)
                .continuousUpdate().build();
    }

    @Override
    public void stepFinished(String stage, int epoch, long step, double loss) {
        if (bar != null) {
            bar.stepTo(step);
            if (step % 20 == 0) bar.setExtraMessage(String.format(Locale.ROOT, "epoch %d loss %.4f", epoch, loss));
        }
    }

    @Override
    public void epochFinished(EpochResult r) {
        String line = String.format(Locale.ROOT, "%s epoch %d/%d: loss %.4f, %s accuracy %.2f%% (old %.2f%%, new %.2f%%), %.0f images/s, %.1f s, lr %.3g",
                r.stage(), r.epoch(), r.epochs(), r.loss(), r.evaluatedOn(), r.overall(), r.old(), r.fresh(),
                r.samplesPerSecond(), r.seconds(), r.learningRate());
        if (bar != null) {
            bar.pause();
            System.out.print("\r\033[2K");
            System.out.flush();
        }
        log.info(line);
        if (bar != null) bar.resume();
    }

    @Override
    public void stageFinished(String stage) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
