package io.github.auditlake.o365.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Streams a 200+ MB blob through the real adapter in a JVM limited to a 64 MB heap. */
class BlobStreamingMemoryTest {
    @Test
    void twoHundredMegabyteBlobIn64MbHeap(@TempDir Path tmp) throws Exception {
        Path base = Path.of(System.getProperty("project.basedir", "."));
        Path cpFile = base.resolve("target/test-classpath.txt");
        String cp = base.resolve("target/test-classes")
                + java.io.File.pathSeparator
                + base.resolve("target/classes")
                + java.io.File.pathSeparator
                + Files.readString(cpFile).trim();
        int records = 210_000;
        Path log = tmp.resolve("child.log");
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx64m",
                        "-XX:+UseSerialGC",
                        "-cp",
                        cp,
                        BlobStreamingMain.class.getName(),
                        Integer.toString(records))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        // the output goes to a file, so nothing blocks before waitFor and its timeout can fire
        try {
            assertTrue(p.waitFor(10, TimeUnit.MINUTES), "child did not finish:\n" + Files.readString(log));
        } finally {
            p.destroyForcibly();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        Matcher m = Pattern.compile("records=(\\d+) bytes=(\\d+)").matcher(out);
        assertTrue(m.find(), out);
        assertEquals(records, Integer.parseInt(m.group(1)));
        assertTrue(Long.parseLong(m.group(2)) > 200L * 1024 * 1024, "blob too small: " + out);
    }
}
