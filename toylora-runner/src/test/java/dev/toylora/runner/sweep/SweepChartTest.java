package dev.toylora.runner.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.runner.experiment.Experiment;
import dev.toylora.runner.experiment.SweepGrid;
import dev.toylora.runner.experiment.Trial;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

class SweepChartTest {
    @TempDir
    Path dir;

    static SweepSummary.Table table(Path dir, Experiment sweep, int... finished) throws Exception {
        List<Trial> trials = SweepGrid.trials(sweep);
        for (int i : finished) FakeTrials.write(dir, trials.get(i));
        return SweepSummary.collect(dir, sweep, t -> TrialFolder.Expectation.NONE);
    }

    /** The filled shapes drawn inside the plot area (the markers), counted by fill colour. */
    static Map<String, Integer> markersByColour(byte[] svg) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document doc = factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg));
        assertEquals("svg", doc.getDocumentElement().getTagName());
        Map<String, Integer> counts = new HashMap<>();
        NodeList groups = doc.getElementsByTagName("g");
        int plots = 0;
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            if (!g.hasAttribute("clip-path")) continue;
            plots++;
            for (Node n = g.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (!(n instanceof Element e)) continue;
                String style = e.getAttribute("style");
                if (style.startsWith("fill:rgb(")) counts.merge(style.substring(5, style.indexOf(')') + 1), 1, Integer::sum);
            }
        }
        assertTrue(plots <= 1, "at most one clipped plot area");
        return counts;
    }

    @Test
    void aRankSweepIsDrawnOnALog2AxisWithOnePointPerFinishedTrialPerSeries() throws Exception {
        Experiment sweep = FakeTrials.parse("sweep:\n  finetune.lora.rank: [1, 2, 4, 8, 16, 32, 64]\n");
        SweepSummary.Table table = table(dir, sweep, 0, 1, 3, 4, 6);   // 4 and 32 not finished
        XYChart chart = SweepChart.build(table);

        List<String> names = chart.getSeriesCollection().stream().map(XYSeries::getName).toList();
        assertEquals(List.of("old classes 0\u20137", "new classes 8\u20139", "overall", "trainable parameters"), names);
        for (XYSeries s : chart.getSeriesCollection()) {
            assertArrayEquals(new double[] {0, 1, 3, 4, 6}, s.getXData(), 1e-12, s.getName() + ": x = log2(rank)");
            assertEquals(5, s.getYData().length);
        }
        assertEquals(1, chart.getSeries("trainable parameters").getYAxisGroup(), "parameters on the second axis");
        assertEquals(0, chart.getSeries("overall").getYAxisGroup());
        assertArrayEquals(new double[] {1000, 2000, 4000, 5000, 7000}, chart.getSeries("trainable parameters").getYData());
        assertEquals("16", chart.getStyler().getXAxisTickLabelsFormattingFunction().apply(4.0));
        assertEquals(SweepChart.Scale.LOG2, SweepChart.scale(List.of(1, 2, 4, 8, 16, 32, 64)));

        byte[] png = SweepChart.png(chart);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertNotNull(image, "the PNG decodes");
        assertEquals(SweepChart.WIDTH, image.getWidth());
        assertEquals(SweepChart.HEIGHT, image.getHeight());

        Map<String, Integer> markers = markersByColour(SweepChart.svg(chart));
        assertEquals(Map.of("rgb(31,119,180)", 5, "rgb(214,39,40)", 5, "rgb(44,160,44)", 5, "rgb(128,128,128)", 5), markers,
                "one marker per finished trial in each of the four series");
    }

    @Test
    void theFilesWrittenForASweepAreAValidPngAndSvg() throws Exception {
        Experiment sweep = FakeTrials.parse("sweep:\n  finetune.lora.rank: [1, 2, 4]\n");
        SweepSummary.Table table = table(dir, sweep, 0, 1, 2);
        SweepSummary.write(dir, table);
        assertNotNull(ImageIO.read(dir.resolve(SweepSummary.PNG).toFile()));
        assertEquals(4, markersByColour(Files.readAllBytes(dir.resolve(SweepSummary.SVG))).size());
        markersByColour(Files.readAllBytes(dir.resolve(SweepSummary.SVG))).values().forEach(n -> assertEquals(3, n));
    }

    @Test
    void targetsAreCategories() throws Exception {
        Experiment sweep = FakeTrials.parse("sweep:\n  finetune.lora.targets: [[fc1], [fc2], [fc3], [fc4], [fc1, fc2, fc3, fc4]]\n");
        XYChart chart = SweepChart.build(table(dir, sweep, 0, 1, 2, 3, 4));
        for (XYSeries s : chart.getSeriesCollection()) assertArrayEquals(new double[] {0, 1, 2, 3, 4}, s.getXData());
        var ticks = chart.getStyler().getXAxisTickLabelsFormattingFunction();
        assertEquals("fc1", ticks.apply(0.0));
        assertEquals("fc4", ticks.apply(3.0));
        assertEquals("fc1+fc2+fc3+fc4", ticks.apply(4.0));
        assertEquals(" ", ticks.apply(0.5));
        assertEquals("targets", chart.getXAxisTitle());
        Map<String, Integer> markers = markersByColour(SweepChart.svg(chart));
        markers.values().forEach(n -> assertEquals(5, n, markers.toString()));
    }

    @Test
    void otherAxes() throws Exception {
        assertEquals(SweepChart.Scale.LINEAR, SweepChart.scale(List.of(0.0, 0.5, 1.0, 3.0)));
        assertEquals(SweepChart.Scale.LINEAR, SweepChart.scale(List.of(4, 8, 16)));
        assertEquals(SweepChart.Scale.CATEGORY, SweepChart.scale(List.of("cosine", "constant")));
        // two axes: one category per trial
        Experiment two = FakeTrials.parse("sweep:\n  finetune.lora.rank: [1, 2]\n  finetune.replay: [0.0, 1.0]\n");
        XYChart chart = SweepChart.build(table(dir, two, 0, 1, 2, 3));
        assertEquals("1", chart.getStyler().getXAxisTickLabelsFormattingFunction().apply(1.0));
        assertEquals(4, chart.getSeries("overall").getXData().length);
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void longTrialLabelsStillDraw() throws Exception {
        // Three axes, two trials finished: XChart once spun forever placing labels too long for the axis.
        Experiment sweep = FakeTrials.parse("sweep:\n  finetune.synthetic.tv: [0.05, 0.15]\n  finetune.synthetic.l2: [0.02]\n"
                + "  finetune.synthetic.statistics: [0.01, 0.05]\n");
        SweepSummary.Table table = table(dir, sweep, 0, 1);
        SweepSummary.write(dir, table);
        assertNotNull(ImageIO.read(dir.resolve(SweepSummary.PNG).toFile()));
    }

    @Test
    void aSweepWithNothingFinishedStillGetsAChart() throws Exception {
        Experiment sweep = FakeTrials.parse("sweep:\n  finetune.lora.rank: [1, 2]\n");
        SweepSummary.Table table = table(dir, sweep);
        SweepSummary.write(dir, table);
        assertNotNull(ImageIO.read(dir.resolve(SweepSummary.PNG).toFile()));
        assertTrue(markersByColour(Files.readAllBytes(dir.resolve(SweepSummary.SVG))).isEmpty());
        assertEquals(1, Files.readAllLines(dir.resolve(SweepSummary.CSV)).size(), "header only");
    }
}
