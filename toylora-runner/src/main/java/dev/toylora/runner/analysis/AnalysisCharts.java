package dev.toylora.runner.analysis;

import dev.toylora.runner.analysis.AnalysisResult.AdapterLayer;
import dev.toylora.runner.analysis.AnalysisResult.LayerResult;
import dev.toylora.runner.analysis.AnalysisResult.PairSimilarity;
import dev.toylora.runner.analysis.AnalysisResult.Trained;
import dev.toylora.runner.analysis.AnalysisResult.Truncated;
import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The analysis's charts, drawn by XChart from an {@link AnalysisResult}: one figure per question, a panel per layer. */
final class AnalysisCharts {
    /** Matplotlib's ten colours without its grey, which marks references (thresholds, random baselines) here. */
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0xbcbd22), new Color(0x17becf)};
    private static final BasicStroke DASHED = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);
    private static final int PANEL_WIDTH = 620;
    private static final int PANEL_HEIGHT = 440;
    /** A panel with its legend beside the plot, where every corner of the plot has a line in it. */
    private static final int WIDE_PANEL = 820;

    private AnalysisCharts() {}

    /** Item 1: the cumulative share of ‖ΔW‖²_F in the top k directions, of the full update and of each adapter rank's. */
    static ChartGrid spectrum(AnalysisResult result) {
        List<XYChart> panels = new ArrayList<>();
        for (LayerResult layer : result.layers()) {
            XYChart chart = xy(layer.layer() + " [" + layer.outputs() + "×" + layer.inputs() + "]: share of ‖ΔW‖²_F in the top k directions",
                    "k (log scale)", "cumulative share of ‖ΔW‖²_F (%)", Styler.LegendPosition.InsideSE);
            chart.getStyler().setXAxisLogarithmic(true).setYAxisMin(0.0).setYAxisMax(100.0);
            int d = Math.min(layer.outputs(), layer.inputs());
            reference(chart, "90% and 99%", new double[] {1, d, Double.NaN, 1, d}, new double[] {90, 90, Double.NaN, 99, 99});
            series(chart, "full fine-tune", ranksUpTo(layer.full().cumulativeShare().length), percent(layer.full().cumulativeShare()), PALETTE[0], false,
                    SeriesMarkers.NONE);
            int colour = 1;
            for (AdapterLayer adapter : firstOfEachRank(layer.adapters())) {
                series(chart, "LoRA r=" + adapter.rank(), ranksUpTo(adapter.delta().cumulativeShare().length), percent(adapter.delta().cumulativeShare()),
                        PALETTE[colour++ % PALETTE.length], false, SeriesMarkers.CIRCLE);
            }
            panels.add(chart);
        }
        return new ChartGrid(panels, 2, PANEL_WIDTH, PANEL_HEIGHT);
    }

    /** Item 2: φ(i, j) between the two adapters of a pair, a heat map per layer (the paper's Fig. 3 and 4). */
    static ChartGrid similarity(AnalysisResult result, AnalysisResult.Pair pair) {
        List<HeatMapChart> panels = new ArrayList<>();
        int rows = 0, columns = 0;
        for (LayerResult layer : result.layers()) {
            for (PairSimilarity p : layer.similarity()) {
                if (!p.first().equals(pair.first()) || !p.second().equals(pair.second())) continue;
                double[][] phi = p.similarity().phi();
                rows = phi.length;
                columns = phi[0].length;
                HeatMapChart chart = new HeatMapChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT)
                        .title(layer.layer() + ": φ(" + pair.first() + ", " + pair.second() + ", i, j)")
                        .xAxisTitle("j: top directions of " + pair.second()).yAxisTitle("i: top directions of " + pair.first()).build();
                var styler = chart.getStyler();
                styler.setChartBackgroundColor(Color.WHITE);
                styler.setMin(0).setMax(1).setShowValue(false).setPiecewise(false);
                styler.setRangeColors(new Color[] {new Color(0x0d0887), new Color(0xcc4778), new Color(0xf0f921)});
                styler.setLegendPosition(Styler.LegendPosition.OutsideE);
                styler.setXAxisMaxLabelCount(16);
                // XChart counts rows from the bottom; the paper draws i = 1 at the top
                List<Integer> is = new ArrayList<>(), js = new ArrayList<>();
                for (int i = rows; i >= 1; i--) is.add(i);
                for (int j = 1; j <= columns; j++) js.add(j);
                List<Number[]> cells = new ArrayList<>();
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < columns; j++) cells.add(new Number[] {j, rows - 1 - i, phi[i][j]});
                }
                chart.addSeries("φ", js, is, cells);
                panels.add(chart);
            }
        }
        if (panels.isEmpty()) throw new IllegalArgumentException("no layer adapted by both " + pair.first() + " and " + pair.second());
        // a wide grid (8 × 64) reads best full width, one layer a row; a square one two layers a row
        boolean wide = columns >= 4 * rows;
        return new ChartGrid(panels, wide ? 1 : 2, wide ? 2 * PANEL_WIDTH : PANEL_WIDTH, wide ? PANEL_HEIGHT * 2 / 3 : PANEL_HEIGHT);
    }

    /** Item 3: the amplification factor ‖ΔW‖_F / ‖UᵀWV‖_F against r, of each layer's adapters (solid) and of its full update (dashed). */
    static ChartGrid amplification(AnalysisResult result) {
        XYChart chart = xy("amplification factor ‖ΔW‖_F / ‖UᵀWV‖_F (U, V: top-r singular vectors of ΔW)", "r (log scale)",
                "amplification factor (log scale)", Styler.LegendPosition.OutsideS);
        chart.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true);
        // x is the nominal rank: on a layer narrower than r (fc4 has 10 outputs) ΔW's rank, and so Table 7's r, is capped
        double[] ranks = AnalysisReport.adapterRanks(result).stream().mapToDouble(Integer::doubleValue).toArray();
        int colour = 0;
        for (LayerResult layer : result.layers()) {
            Color c = PALETTE[colour++ % PALETTE.length];
            List<AdapterLayer> adapters = firstOfEachRank(layer.adapters());
            if (!adapters.isEmpty()) {
                series(chart, layer.layer() + " LoRA", values(adapters, AdapterLayer::rank), values(adapters, a -> a.correlation().amplification()),
                        c, false, SeriesMarkers.CIRCLE);
            }
            series(chart, layer.layer() + " full update", ranks, values(layer.fullCorrelation(), WeightCorrelation::amplification), c, true,
                    SeriesMarkers.NONE);
        }
        return new ChartGrid(List.of(chart), 1, 2 * PANEL_WIDTH, PANEL_HEIGHT + 60);
    }

    /** Item 4: test accuracy of LoRA trained at rank r and of the full update truncated to rank r. */
    static ChartGrid accuracy(AnalysisResult result) {
        var accuracy = result.accuracy();
        XYChart chart = xy("LoRA trained at rank r against the full fine-tune's update truncated to rank r (test set)", "r (log scale)",
                "test accuracy (%)", Styler.LegendPosition.OutsideS);
        chart.getStyler().setXAxisLogarithmic(true);
        List<Trained> trained = firstOfEachRank(accuracy.adapters(), Trained::rank);
        List<Truncated> truncated = accuracy.truncated();
        double[] ranks = values(truncated, Truncated::rank);
        reference(chart, "full fine-tune, overall", new double[] {ranks[0], ranks[ranks.length - 1]},
                new double[] {accuracy.full().overall(), accuracy.full().overall()});
        series(chart, "LoRA, overall", values(trained, Trained::rank), values(trained, t -> t.accuracy().overall()), PALETTE[0], false, SeriesMarkers.CIRCLE);
        series(chart, "full update truncated, overall", ranks, values(truncated, t -> t.accuracy().overall()), PALETTE[1], false, SeriesMarkers.SQUARE);
        series(chart, "LoRA, new classes", values(trained, Trained::rank), values(trained, t -> t.accuracy().fresh()), PALETTE[0], true, SeriesMarkers.CIRCLE);
        series(chart, "full update truncated, new classes", ranks, values(truncated, t -> t.accuracy().fresh()), PALETTE[1], true, SeriesMarkers.SQUARE);
        return new ChartGrid(List.of(chart), 1, 2 * PANEL_WIDTH, PANEL_HEIGHT + 60);
    }

    /** Item 4: the share of the full update's energy in each adapter's subspaces, against the best and random rank-r subspaces. */
    static ChartGrid fullInAdapters(AnalysisResult result) {
        List<XYChart> panels = new ArrayList<>();
        for (LayerResult layer : result.layers()) {
            List<AdapterLayer> adapters = firstOfEachRank(layer.adapters());
            if (adapters.isEmpty()) continue;
            XYChart chart = xy(layer.layer() + ": share of the full update's ‖ΔW‖²_F in rank-r subspaces", "r (log scale)", "share of ‖ΔW‖²_F (%, log scale)",
                    Styler.LegendPosition.OutsideE);
            chart.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true);
            double[] r = values(adapters, AdapterLayer::rank);
            series(chart, "best: its own top r", r, values(adapters, a -> 100 * a.full().best()), PALETTE[2], false, SeriesMarkers.NONE);
            series(chart, "LoRA's input side", r, values(adapters, a -> 100 * a.full().inputSide()), PALETTE[0], true, SeriesMarkers.DIAMOND);
            series(chart, "LoRA's output and input sides", r, values(adapters, a -> 100 * a.full().twoSided()), PALETTE[0], false, SeriesMarkers.CIRCLE);
            reference(chart, "random subspaces", r, values(adapters, a -> 100 * a.full().random()));
            panels.add(chart);
        }
        return new ChartGrid(panels, 2, WIDE_PANEL, PANEL_HEIGHT);
    }

    /** The first adapter of each rank, by rank: several adapters of one rank would draw one line over another. */
    static List<AdapterLayer> firstOfEachRank(List<AdapterLayer> adapters) {
        return firstOfEachRank(adapters, AdapterLayer::rank);
    }

    static <T> List<T> firstOfEachRank(List<T> items, ToIntFunction<T> rank) {
        Map<Integer, T> byRank = new TreeMap<>();
        for (T item : items) byRank.putIfAbsent(rank.applyAsInt(item), item);
        return List.copyOf(byRank.values());
    }

    private static XYChart xy(String title, String xTitle, String yTitle, Styler.LegendPosition legend) {
        XYChart chart = new XYChartBuilder().width(legend == Styler.LegendPosition.OutsideE ? WIDE_PANEL : PANEL_WIDTH).height(PANEL_HEIGHT).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        var styler = chart.getStyler();
        // beside a full-width chart the legend fits in a row; in a panel it needs a column
        styler.setLegendPosition(legend);
        styler.setLegendLayout(legend == Styler.LegendPosition.OutsideS ? Styler.LegendLayout.Horizontal : Styler.LegendLayout.Vertical);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotGridLinesVisible(true);
        styler.setMarkerSize(6);
        return chart;
    }

    private static void series(XYChart chart, String name, double[] x, double[] y, Color colour, boolean dashed, Marker marker) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setMarker(marker);
        s.setMarkerColor(colour);
        s.setLineColor(colour);
        if (dashed) s.setLineStyle(DASHED);
    }

    /** A thin grey line for a threshold or a reference value (NaN breaks it into pieces). */
    private static void reference(XYChart chart, String name, double[] x, double[] y) {
        series(chart, name, x, y, Color.GRAY, true, SeriesMarkers.NONE);
    }

    private static double[] ranksUpTo(int n) {
        double[] k = new double[n];
        for (int i = 0; i < n; i++) k[i] = i + 1;
        return k;
    }

    private static double[] percent(double[] shares) {
        double[] out = new double[shares.length];
        for (int i = 0; i < shares.length; i++) out[i] = 100 * shares[i];
        return out;
    }

    private static <T> double[] values(List<T> items, ToDoubleFunction<T> value) {
        return items.stream().mapToDouble(value).toArray();
    }
}
