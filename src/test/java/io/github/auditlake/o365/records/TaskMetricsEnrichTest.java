package io.github.auditlake.o365.records;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.auditlake.o365.enrich.DirectoryApi;
import io.github.auditlake.o365.enrich.DirectoryException;
import io.github.auditlake.o365.enrich.DirectoryObject;
import io.github.auditlake.o365.enrich.EnrichSettings;
import io.github.auditlake.o365.enrich.Enricher;
import io.github.auditlake.o365.enrich.ObjectKind;
import io.github.auditlake.o365.enrich.Unenriched;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.junit.jupiter.api.Test;

/** Enrichment's counters are published as plugin metrics per tenant, unenriched records per reason. */
class TaskMetricsEnrichTest {
    static final String TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
    static final String A = "0a1b2c3d-0000-4000-8000-00000000aaaa";
    static final String B = "0a1b2c3d-0000-4000-8000-00000000bbbb";

    @Test
    void lookupsCacheHitsAndUnenrichedRecordsByReasonArePublished() throws Exception {
        try (Metrics metrics = new Metrics();
                PluginMetricsImpl pm = new PluginMetricsImpl(metrics, Map.of("connector", "c", "task", "0"))) {
            SourceTaskContext ctx = new SourceTaskContext() {
                @Override
                public Map<String, String> configs() {
                    return Map.of();
                }

                @Override
                public OffsetStorageReader offsetStorageReader() {
                    throw new UnsupportedOperationException();
                }

                @Override
                public PluginMetrics pluginMetrics() {
                    return pm;
                }
            };
            int[] calls = {0};
            DirectoryApi dir = new DirectoryApi() {
                @Override
                public List<DirectoryObject> getByIds(List<String> ids, Set<ObjectKind> types, Duration timeout)
                        throws DirectoryException {
                    if (calls[0]++ > 0) {
                        throw new DirectoryException(Unenriched.THROTTLED, Duration.ofMinutes(1), "429");
                    }
                    return List.of(new DirectoryObject(A, ObjectKind.USER, "a@x", "A", null, null, null));
                }

                @Override
                public AppIdAnswer servicePrincipalsByAppId(List<String> appIds, Duration timeout) {
                    throw new AssertionError("these records carry no app id");
                }

                @Override
                public void close() {}
            };
            Enricher en = new Enricher(EnrichSettings.DEFAULTS, dir, Clock.systemUTC());
            TaskMetrics.registerEnrichment(ctx, new RecordEnrichment(Map.of(TENANT, en)));
            en.enrich(List.of("{\"UserKey\":\"" + A + "\"}", "{\"UserKey\":\"" + A + "\"}"));
            en.enrich(List.of("{\"UserKey\":\"" + A + "\"}", "{\"UserKey\":\"" + B + "\"}"));

            assertEquals(2L, value(metrics, "enrich-lookups-total", null));
            assertEquals(1L, value(metrics, "enrich-cache-hits-total", null), "a repeat within a batch is one lookup");
            assertEquals(2L, value(metrics, "enrich-cache-misses-total", null));
            assertEquals(3L, value(metrics, "enrich-records-enriched-total", null));
            assertEquals(1L, value(metrics, "enrich-records-unenriched-total", "throttled"));
            assertEquals(0L, value(metrics, "enrich-records-unenriched-total", "denied"));
            assertEquals(1L, value(metrics, "enrich-cache-entries", null));
        }
    }

    static Object value(Metrics metrics, String name, String reason) {
        return metrics.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals(name)
                        && TENANT.equals(e.getKey().tags().get("tenant"))
                        && (reason == null || reason.equals(e.getKey().tags().get("reason"))))
                .map(e -> e.getValue().metricValue())
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + " not registered"));
    }
}
