package io.github.auditlake.o365.cli.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attestation in a real headless browser (Debian's {@code chromium}; {@code .ci/run} installs it): the page is
 * rendered to a screenshot and its DOM, as the browser built it, holds the tables and the plot. Skipped when no
 * Chromium is installed. {@code -Dattestation.write=true} copies the screenshot to docs/attestation.png.
 */
class AttestationBrowserTest {
    static final int WIDTH = 1200;
    static final int HEIGHT = 1700;

    static Optional<Path> chromium() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    @Test
    void rendersInHeadlessChromium(@TempDir Path dir) throws Exception {
        Optional<Path> chromium = chromium();
        assumeTrue(chromium.isPresent(), "no chromium on the PATH (apt-get install chromium)");
        VerifyReport report = SampleReports.day(true);
        Path page = dir.resolve("attestation.html");
        Files.writeString(page, Attestation.html(report), StandardCharsets.UTF_8);
        Path png = dir.resolve("attestation.png");

        run(
                chromium.get(),
                dir,
                "--screenshot=" + png,
                "--window-size=" + WIDTH + "," + HEIGHT,
                "--hide-scrollbars",
                page.toUri().toString());
        assertTrue(Files.isRegularFile(png), "a screenshot");
        byte[] bytes = Files.readAllBytes(png);
        assertArrayEquals(
                new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, Arrays.copyOf(bytes, 8), "a PNG file");
        ByteBuffer ihdr = ByteBuffer.wrap(bytes, 16, 8);
        assertEquals(WIDTH, ihdr.getInt(), "width");
        assertEquals(HEIGHT, ihdr.getInt(), "height");
        assertTrue(bytes.length > 50_000, "a page with text, tables and a plot, not a blank one: " + bytes.length);

        String dom = run(chromium.get(), dir, "--dump-dom", page.toUri().toString());
        assertTrue(dom.contains("NOT COMPLETE"), "the verdict rendered");
        assertEquals(
                report.rows().size() + 1,
                count(dom.substring(dom.indexOf("<table class=\"hours\">")), "<tr"),
                "the per-hour table rendered, header and a row per content type and hour");
        assertEquals(3, count(dom, "<polyline"), "the plot's lines");
        assertTrue(dom.contains(report.ledgerSha256()));
        assertFalse(dom.contains("<script"));

        if (Boolean.getBoolean("attestation.write")) {
            Path docs = Path.of(System.getProperty("project.basedir", "."), "docs", "attestation.png");
            Files.copy(png, docs, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static int count(String s, String what) {
        return s.split(java.util.regex.Pattern.quote(what), -1).length - 1;
    }

    /** Runs chromium headless (no sandbox: CI runs as root) and returns its stdout. */
    private static String run(Path chromium, Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                chromium.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--user-data-dir=" + dir.resolve("profile")));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("chromium.out");
        Path err = dir.resolve("chromium.err");
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 120 s: " + Files.readString(err));
        }
        assertEquals(0, p.exitValue(), () -> "chromium failed: " + readQuietly(err));
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
