package dev.toylora.runner.analysis;

import de.erichseifert.vectorgraphics2d.Document;
import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Several XChart charts of one size painted side by side, {@code columns} to a row, as one PNG or SVG: XChart draws
 * one chart per image, and a figure of four layers reads best as one picture. The SVG is drawn through
 * VectorGraphics2D, as XChart's own SVG encoder does for a single chart.
 */
record ChartGrid(List<? extends Chart<?, ?>> charts, int columns, int cellWidth, int cellHeight) {
    static {
        // No display is needed (or wanted) to draw into an image; set before AWT's toolkit loads.
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    ChartGrid {
        charts = List.copyOf(charts);
        if (charts.isEmpty()) throw new IllegalArgumentException("a grid of no charts");
    }

    static ChartGrid single(Chart<?, ?> chart) {
        return new ChartGrid(List.of(chart), 1, chart.getWidth(), chart.getHeight());
    }

    int width() {
        return Math.min(columns, charts.size()) * cellWidth;
    }

    int height() {
        return (charts.size() + columns - 1) / columns * cellHeight;
    }

    byte[] png() {
        BufferedImage image = new BufferedImage(width(), height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        paint(g);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a chart as PNG: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    byte[] svg() {
        VectorGraphics2D g = new VectorGraphics2D();
        paint(g);
        Document document = new SVGProcessor().getDocument(g.getCommands(), new PageSize(0, 0, width(), height()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            document.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a chart as SVG: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    private void paint(Graphics2D g) {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width(), height());
        for (int i = 0; i < charts.size(); i++) {
            Graphics2D cell = (Graphics2D) g.create((i % columns) * cellWidth, (i / columns) * cellHeight, cellWidth, cellHeight);
            charts.get(i).paint(cell, cellWidth, cellHeight);
            cell.dispose();
        }
    }
}
