package io.github.auditlake.o365.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/** Minimal PNG charts drawn with Java2D (no dependencies): grouped bars and lines. */
final class Plot {
    static final int W = 900;
    static final int H = 480;
    static final Color[] PALETTE = {
        new Color(0x1f77b4),
        new Color(0xff7f0e),
        new Color(0x2ca02c),
        new Color(0xd62728),
        new Color(0x9467bd),
        new Color(0x8c564b)
    };

    private Plot() {}

    /** Horizontal-label bar chart: one bar per label. */
    static void bars(Path file, String title, String unit, List<String> labels, List<Double> values) {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = start(img, title);
        int x0 = 90;
        int y0 = H - 70;
        int top = 60;
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(1) * 1.15;
        axes(g, x0, y0, top, max, unit);
        int n = labels.size();
        int slot = (W - x0 - 30) / Math.max(1, n);
        for (int i = 0; i < n; i++) {
            int h = (int) Math.round(values.get(i) / max * (y0 - top));
            int x = x0 + i * slot + slot / 6;
            g.setColor(PALETTE[i % PALETTE.length]);
            g.fillRect(x, y0 - h, slot * 2 / 3, h);
            g.setColor(Color.BLACK);
            g.drawString(Results.fmt(values.get(i)), x, y0 - h - 5);
            g.drawString(labels.get(i), x, y0 + 18);
        }
        write(g, img, file);
    }

    /** Line chart: series name to points {x, y}. */
    static void lines(Path file, String title, String xUnit, String yUnit, Map<String, List<double[]>> series) {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = start(img, title);
        int x0 = 90;
        int y0 = H - 70;
        int top = 60;
        int right = W - 200;
        double maxX = 0;
        double maxY = 0;
        for (List<double[]> pts : series.values()) {
            for (double[] p : pts) {
                maxX = Math.max(maxX, p[0]);
                maxY = Math.max(maxY, p[1]);
            }
        }
        maxX = maxX <= 0 ? 1 : maxX * 1.05;
        maxY = maxY <= 0 ? 1 : maxY * 1.15;
        axes(g, x0, y0, top, maxY, yUnit);
        g.setColor(Color.BLACK);
        for (int i = 0; i <= 5; i++) {
            int x = x0 + (right - x0) * i / 5;
            g.drawLine(x, y0, x, y0 + 4);
            g.drawString(Results.fmt(maxX * i / 5), x - 10, y0 + 18);
        }
        g.drawString(xUnit, (x0 + right) / 2 - 20, y0 + 40);
        int k = 0;
        for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
            g.setColor(PALETTE[k % PALETTE.length]);
            g.setStroke(new BasicStroke(2.5f));
            int px = -1;
            int py = -1;
            for (double[] p : e.getValue()) {
                int x = x0 + (int) Math.round(p[0] / maxX * (right - x0));
                int y = y0 - (int) Math.round(p[1] / maxY * (y0 - top));
                g.fillOval(x - 4, y - 4, 8, 8);
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
            g.fillRect(right + 15, top + 10 + k * 22, 14, 10);
            g.setColor(Color.BLACK);
            g.drawString(e.getKey(), right + 35, top + 20 + k * 22);
            k++;
        }
        write(g, img, file);
    }

    private static Graphics2D start(BufferedImage img, String title) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, 20, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        return g;
    }

    private static void axes(Graphics2D g, int x0, int y0, int top, double max, String unit) {
        g.setColor(Color.BLACK);
        g.drawLine(x0, y0, W - 30, y0);
        g.drawLine(x0, y0, x0, top);
        for (int i = 0; i <= 5; i++) {
            int y = y0 - (y0 - top) * i / 5;
            g.setColor(new Color(0xdddddd));
            g.drawLine(x0 + 1, y, W - 30, y);
            g.setColor(Color.BLACK);
            g.drawString(Results.fmt(max * i / 5), 10, y + 4);
        }
        g.drawString(unit, 10, top - 10);
    }

    private static void write(Graphics2D g, BufferedImage img, Path file) {
        g.dispose();
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            ImageIO.write(img, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.printf(Locale.ROOT, "plot %s%n", file);
    }
}
