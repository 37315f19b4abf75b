package io.github.auditlake.o365.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.auditlake.o365.cluster.Classpaths;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The reader of the dashboard's queries that {@link OperatorDashboardIT} relies on to find every series. */
class DashboardQueriesTest {

    static Map<String, Set<String>> read(String expr) {
        Map<String, Set<String>> out = new TreeMap<>();
        DashboardQueries.addExpression(expr, out);
        return out;
    }

    @Test
    void findsMetricsInsideFunctionsAggregationsAndArithmetic() {
        assertEquals(
                Map.of(
                        "a_total",
                        Set.of("connector", "task", "tenant"),
                        "b",
                        Set.of("connector", "task", "tenant"),
                        "c_ms",
                        Set.of("connector", "task", "tenant")),
                read("sum by (connector, task) (rate(a_total{connector=~\"$connector\"}[$__rate_interval])) * 60 / b"
                        + " + (time() * 1000 - min by (tenant) (c_ms{connector=~\"$connector\", tenant!=\"x\"} > 0))"));
    }

    @Test
    void ignoresKeywordsDurationsGrafanaVariablesAndStrings() {
        assertEquals(
                Map.of("x", Set.of("area"), "y", Set.of()),
                read("x{area=\"heap, by (nothing)\"} offset 5m and on (instance) y unless ignoring (job) x"
                        + " > bool ${threshold}"));
    }

    @Test
    void requiresTheLabelsAnExpressionAggregatesByButThoseAddedAtScrapeTime() {
        assertEquals(
                Map.of("s", Set.of("connector", "status", "task")),
                read("max by (connector, task, status) (s{connector=~\"$c\"})"));
        assertEquals(Map.of("h", Set.of("area")), read("sum by (instance, job) (h{area=\"heap\"})"));
    }

    @Test
    void refusesASelectorWithoutAMetricName() {
        assertThrows(IllegalArgumentException.class, () -> read("sum({__name__=~\"o365_.*\"})"));
    }

    @Test
    void readsPanelsInsideRowsAndLabelValuesVariables() throws Exception {
        String json = "{\"panels\":[{\"type\":\"row\",\"panels\":[{\"targets\":[{\"expr\":\"rate(p_total[5m])\"}]}]},"
                + "{\"targets\":[{\"expr\":\"q{connector=~\\\"$c\\\"}\"}]}],"
                + "\"templating\":{\"list\":[{\"type\":\"datasource\",\"query\":\"prometheus\"},"
                + "{\"type\":\"query\",\"query\":{\"query\":\"label_values(r{connector=~\\\"$c\\\"}, tenant)\"}}]}}";
        DashboardQueries q = DashboardQueries.of(new ObjectMapper().readTree(json));
        assertEquals(
                Map.of("p_total", Set.of(), "q", Set.of("connector"), "r", Set.of("connector", "tenant")),
                q.labelsByMetric());
    }

    @Test
    void theDashboardQueriesTheConnectorsSeriesByConnectorTaskAndTenant() {
        DashboardQueries q =
                DashboardQueries.read(Classpaths.projectDir().resolve("config/grafana/o365-audit-dashboard.json"));
        Map<String, Set<String>> m = q.labelsByMetric();
        assertTrue(m.containsKey("o365_audit_records_emitted_total"), m.keySet().toString());
        assertTrue(m.get("o365_audit_tenant_high_watermark_ms").contains("tenant"), m.toString());
        assertTrue(
                m.keySet().stream()
                        .allMatch(n -> n.matches("(o365_audit|kafka_connect|kafka_producer|jvm)_[a-z0-9_]+")),
                "a series outside the exporter's name conventions: " + m.keySet());
    }
}
