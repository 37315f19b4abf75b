package io.github.auditlake.o365.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.cluster.Classpaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Runs every benchmark scenario at tiny sizes so the harness cannot rot. Asserts only that each scenario produced
 * positive numbers and a report, never timings.
 */
class BenchmarkSmokeIT {

    @Test
    void everyScenarioProducesNumbers() throws Exception {
        Path out = Classpaths.projectDir().resolve("target/bench-smoke");
        Results r = Benchmarks.run(Sizes.smoke(), out, new LinkedHashSet<>(Benchmarks.ALL), "./bench --smoke");
        System.out.println(r.table());
        assertEquals(Map.of(), r.failures, "failed scenarios");
        for (String s : Benchmarks.ALL) {
            assertFalse(r.of(s).isEmpty(), "figures of " + s);
        }
        // at these tiny sizes a CPU-per-record figure may rest on a few 10 ms ticks: the harness then reports it as
        // not measured (NaN) with a note saying so, never as a rounded number; anything else must be positive
        boolean cpuNoted = r.notes.getOrDefault("throughput", java.util.List.of()).stream()
                .anyMatch(n -> n.contains(Benchmarks.CPU_RESOLUTION_NOTE));
        Map<String, String> bad = r.rows.stream()
                .filter(x -> !acceptable(x.value(), x, cpuNoted) || !acceptable(x.reference(), x, cpuNoted))
                .collect(Collectors.toMap(
                        x -> x.scenario() + ": " + x.figure(), x -> x.value() + " against " + x.reference()));
        assertEquals(Map.of(), bad, "non-positive figures");
        assertTrue(
                r.rows.stream()
                        .filter(x -> x.unit().equals("µs/rec"))
                        .allMatch(x -> x.met() == null || !Double.isNaN(x.value() + x.reference())),
                "a target judged on a figure that was not measured");
        assertTrue(Files.size(out.resolve("benchmarks.md")) > 0);
        assertTrue(Files.size(out.resolve("benchmarks-throughput.png")) > 0);
    }

    private static boolean acceptable(double v, Results.Row row, boolean cpuNoted) {
        return v > 0 || (Double.isNaN(v) && row.unit().equals("µs/rec") && cpuNoted);
    }
}
