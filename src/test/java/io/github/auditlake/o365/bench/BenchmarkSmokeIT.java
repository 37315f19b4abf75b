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
        Map<String, Double> bad = r.rows.stream()
                .filter(x -> !(x.value() > 0) || !(x.reference() > 0))
                .collect(Collectors.toMap(x -> x.scenario() + ": " + x.figure(), Results.Row::value));
        assertEquals(Map.of(), bad, "non-positive figures");
        assertTrue(Files.size(out.resolve("benchmarks.md")) > 0);
        assertTrue(Files.size(out.resolve("benchmarks-throughput.png")) > 0);
    }
}
