package dev.toylora.runner.sweep;

import dev.toylora.io.files.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.knowm.xchart.ChartEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The sweep's chart, drawn by XChart: test accuracy of the adapted model on the old classes, the new classes and
 * overall (left axis) and the trainable parameters (right axis) against the swept value — on a log₂ scale for a
 * numeric axis spanning a factor of 8 or more such as the LoRA rank, linear for other numbers, one category per
 * value otherwise (e.g. the targets), and one category per trial when the sweep has several axes. Only finished
 * trials are drawn, each as one marker per series.
 */
public final class SweepChart {
    static {
        // No display is needed (or wanted) to draw into an image; set before AWT's toolkit loads.
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    static final int WIDTH = 900;
    static final int HEIGHT = 540;

    /** How the x axis places the swept values. */
    public enum Scale { LOG2, LINEAR, CATEGORY }

    static final String OVERALL = "overall";
    static final String PARAMETERS = "trainable parameters";

    private SweepChart() {}

    /** The chart of the finished rows of {@code table}. */
    public static XYChart build(SweepSummary.Table table) {
        var sweep = table.sweep();
        var axes = sweep.sweep().axes();
        String key = axes.size() == 1 ? axes.keySet().iterator().next() : null;
        List<Object> values = key == null ? List.of() : axes.get(key);
        Scale scale = key == null ? Scale.CATEGORY : scale(values);
        List<String> categories = new ArrayList<>();
        if (scale == Scale.CATEGORY) {
            // Several axes: trials by number, as sweep.md numbers them; whole labels do not fit under the axis (and
            // XChart spins forever trying to fit them).
            if (key == null) table.trials().forEach(t -> categories.add(String.valueOf(t.index())));
            else values.forEach(v -> categories.add(SweepSummary.render(v)));
        }

        String oldName = "old classes " + classes(sweep.pretrain().classes());
        String newName = "new classes " + classes(sweep.finetune().classes());
        String xTitle = key == null ? "trial (numbered as in the table)" : key.substring(key.lastIndexOf('.') + 1)
                + (scale == Scale.LOG2 ? " (log\u2082 scale)" : "");
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(sweep.name() + ": adapted model's test accuracy and trainable parameters")
                .xAxisTitle(xTitle).yAxisTitle("test accuracy (%)").build();
        var styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Horizontal);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotGridLinesVisible(true);
        styler.setMarkerSize(8);
        styler.setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        styler.putYAxisGroupDecimalPatternMap(0, "0.#");
        styler.putYAxisGroupDecimalPatternMap(1, "#,##0");
        chart.setYAxisGroupTitle(0, "test accuracy (%)");
        chart.setYAxisGroupTitle(1, PARAMETERS);
        Function<Double, String> ticks = tickLabels(scale, categories);
        if (ticks != null) styler.setXAxisTickLabelsFormattingFunction(ticks);

        List<Double> x = new ArrayList<>();
        List<Double> overall = new ArrayList<>(), old = new ArrayList<>(), fresh = new ArrayList<>(), parameters = new ArrayList<>();
        for (SweepSummary.Row row : table.rows()) {
            double position = switch (scale) {
                case LOG2 -> log2(((Number) row.trial().values().get(key)).doubleValue());
                case LINEAR -> ((Number) row.trial().values().get(key)).doubleValue();
                case CATEGORY -> key == null ? row.trial().index() : values.indexOf(row.trial().values().get(key));
            };
            x.add(position);
            overall.add(row.accuracy("overall"));
            old.add(row.accuracy("old"));
            fresh.add(row.accuracy("new"));
            parameters.add((double) row.trainable());
        }
        if (x.isEmpty()) {
            // XChart refuses empty series; an empty sweep (nothing finished yet) still gets a chart with a title.
            chart.setTitle(chart.getTitle() + " (no finished trial yet)");
            chart.addSeries(OVERALL, new double[] {0}, new double[] {0}).setShowInLegend(false).setEnabled(false);
            return chart;
        }
        // lines join the points of an ordered axis; categories stand alone
        if (scale == Scale.CATEGORY) styler.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        series(chart, oldName, x, old, SeriesMarkers.CIRCLE, new Color(0x1f77b4), 0, false);
        series(chart, newName, x, fresh, SeriesMarkers.DIAMOND, new Color(0xd62728), 0, false);
        series(chart, OVERALL, x, overall, SeriesMarkers.SQUARE, new Color(0x2ca02c), 0, false);
        series(chart, PARAMETERS, x, parameters, SeriesMarkers.TRIANGLE_UP, Color.GRAY, 1, true).setYAxisDecimalPattern("#,##0");
        return chart;
    }

    private static XYSeries series(XYChart chart, String name, List<Double> x, List<Double> y, org.knowm.xchart.style.markers.Marker marker,
                               Color color, int group, boolean dashed) {
        // NaN (no fine-tuning) is drawn as a gap
        XYSeries s = chart.addSeries(name, x, y);
        s.setMarker(marker);
        s.setMarkerColor(color);
        s.setLineColor(color);
        s.setYAxisGroup(group);
        if (dashed) s.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        return s;
    }

    static Scale scale(List<Object> values) {
        if (values.isEmpty() || !values.stream().allMatch(v -> v instanceof Number)) return Scale.CATEGORY;
        double min = values.stream().mapToDouble(v -> ((Number) v).doubleValue()).min().orElseThrow();
        double max = values.stream().mapToDouble(v -> ((Number) v).doubleValue()).max().orElseThrow();
        return min > 0 && max / min >= 8 ? Scale.LOG2 : Scale.LINEAR;
    }

    private static Function<Double, String> tickLabels(Scale scale, List<String> categories) {
        return switch (scale) {
            case LOG2 -> v -> {
                double value = Math.pow(2, v);
                if (Math.abs(value - Math.rint(value)) < 1e-6 * Math.max(1, value)) return String.valueOf((long) Math.rint(value));
                return String.format(Locale.ROOT, "%.3g", value);
            };
            case CATEGORY -> v -> {
                long i = Math.round(v);
                return Math.abs(v - i) < 1e-9 && i >= 0 && i < categories.size() ? categories.get((int) i) : " ";
            };
            case LINEAR -> null;
        };
    }

    private static double log2(double v) {
        return Math.log(v) / Math.log(2);
    }

    /** {@code 0–7} for a run of consecutive classes, else the list. */
    static String classes(List<Integer> classes) {
        boolean run = !classes.isEmpty();
        for (int i = 1; i < classes.size(); i++) run &= classes.get(i) == classes.get(i - 1) + 1;
        if (run && classes.size() >= 2) return classes.get(0) + "\u2013" + classes.get(classes.size() - 1);
        return classes.stream().map(String::valueOf).reduce((a, b) -> a + "," + b).orElse("");
    }

    public static byte[] png(XYChart chart) {
        try {
            return ChartEncoder.getBytes(chart, "png");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot draw the sweep chart as PNG: " + e.getMessage(), e);
        }
    }

    public static byte[] svg(XYChart chart) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ChartEncoder.saveChart(chart, out, "svg");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot draw the sweep chart as SVG: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** Draws {@code sweep.png} and {@code sweep.svg} into {@code sweepDir}, each written whole. */
    static void write(Path sweepDir, SweepSummary.Table table) {
        XYChart chart = build(table);
        AtomicFiles.write(sweepDir.resolve(SweepSummary.PNG), png(chart));
        AtomicFiles.write(sweepDir.resolve(SweepSummary.SVG), svg(chart));
    }
}
