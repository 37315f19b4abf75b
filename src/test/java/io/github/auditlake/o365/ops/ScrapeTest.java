package io.github.auditlake.o365.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Reading an exporter's answer and finding what a dashboard queries but the answer lacks. */
class ScrapeTest {
    static final Scrape S = Scrape.parse("""
            # HELP o365_audit_lag_ms lag
            # TYPE o365_audit_lag_ms gauge
            o365_audit_lag_ms{connector="ops",task="0"} 3184.0
            o365_audit_tenant_failing{connector="ops",task="0",tenant="t-1"} 0.0
            o365_audit_records_emitted_total{connector="other",task="0"} 5.0
            jvm_memory_used_bytes{area="heap"} 1.5E8
            process_cpu_seconds_total 14.94
            """);

    @Test
    void readsNamesLabelsAndValues() {
        assertEquals(3184.0, S.series().get("o365_audit_lag_ms").get(0).value());
        assertEquals(
                Map.of("connector", "ops", "task", "0", "tenant", "t-1"),
                S.series().get("o365_audit_tenant_failing").get(0).labels());
        assertEquals(
                Map.of(), S.series().get("process_cpu_seconds_total").get(0).labels());
    }

    @Test
    void reportsAbsentSeriesMissingLabelsAndSeriesOfAnotherConnectorOnly() {
        assertEquals(
                Map.of(
                        "o365_audit_none",
                        Set.of("(no series)"),
                        "o365_audit_lag_ms",
                        Set.of("tenant"),
                        "o365_audit_records_emitted_total",
                        Set.of("(no series of connector ops)")),
                S.missing(
                        Map.of(
                                "o365_audit_none", Set.of(),
                                "o365_audit_lag_ms", Set.of("connector", "tenant"),
                                "o365_audit_tenant_failing", Set.of("connector", "tenant"),
                                "o365_audit_records_emitted_total", Set.of("connector"),
                                "jvm_memory_used_bytes", Set.of("area")),
                        "ops"));
    }
}
