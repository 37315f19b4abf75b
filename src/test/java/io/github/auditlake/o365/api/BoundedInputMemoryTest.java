package io.github.auditlake.o365.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile blob shapes read through the real adapter in a JVM with a small heap ({@link BoundedInputMain}): a record
 * far larger than the heap, and field names that are long and unique. Either would exhaust the heap if the record
 * were materialized before its size is checked, or if field names were kept across records and blobs.
 */
class BoundedInputMemoryTest {
    @Test
    void aThreeHundredMegabyteRecordGoesToTheSkipsPathWithoutBeingMaterialized(@TempDir Path tmp) throws Exception {
        String out = runChild(tmp, "-Xmx64m", "huge-record", "300", "1000000");
        String huge =
                "record id=huge tooLarge=true size=" + (300L * 1024 * 1024 + "{\"Id\":\"huge\",\"Pad\":\"\"}".length());
        String small = "record id=small tooLarge=false size=" + BoundedInputMain.SMALL.length();
        assertEquals(List.of(small, huge, small), recordLines(out), out);
    }

    @Test
    void longUniqueFieldNamesDoNotAccumulateAcrossRecordsAndBlobs(@TempDir Path tmp) throws Exception {
        // blob k holds k records, each with one unique 1 MiB field name: 136 names, 136 MiB of them in all
        String out = runChild(tmp, "-Xmx48m", "long-names", "16", Integer.toString(1024 * 1024));
        assertTrue(out.contains("records=136"), out);
    }

    private static List<String> recordLines(String out) {
        List<String> lines = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("record ")) {
                lines.add(line.trim());
            }
        }
        return lines;
    }

    private static String runChild(Path tmp, String heap, String... args) throws Exception {
        Path base = Path.of(System.getProperty("project.basedir", "."));
        String cp = base.resolve("target/test-classes")
                + java.io.File.pathSeparator
                + base.resolve("target/classes")
                + java.io.File.pathSeparator
                + Files.readString(base.resolve("target/test-classpath.txt")).trim();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                heap,
                "-XX:+UseSerialGC",
                "-XX:+ExitOnOutOfMemoryError",
                "-cp",
                cp,
                BoundedInputMain.class.getName()));
        command.addAll(List.of(args));
        Path log = tmp.resolve("child.log");
        Process p = new ProcessBuilder(command)
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
        return out;
    }
}
