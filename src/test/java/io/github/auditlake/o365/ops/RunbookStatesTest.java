package io.github.auditlake.o365.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.auditlake.o365.cluster.Classpaths;
import io.github.auditlake.o365.engine.health.HealthMonitor;
import io.github.auditlake.o365.engine.health.StreamState;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The runbook of docs/operations.md names the health topic's states and warnings exactly as the topic does: one entry
 * per state, in code order, then one per warning, so an operator who reads a {@code state} on the topic finds its
 * entry under the same name.
 */
class RunbookStatesTest {
    static final Pattern ENTRY = Pattern.compile("^\\| \\*\\*([a-z-]+)\\*\\*( \\((warning|record)\\))? \\|");

    @Test
    void theRunbookHasOneEntryPerHealthStateAndWarningNamedAsOnTheTopic() throws Exception {
        String doc = Files.readString(Classpaths.projectDir().resolve("docs/operations.md"));
        String runbook = doc.substring(
                doc.indexOf("### States of a stream (tenant, content type)"), doc.indexOf("### Service error codes"));
        List<String> entries = new ArrayList<>();
        for (String line : runbook.split("\n")) {
            Matcher m = ENTRY.matcher(line);
            if (m.find()) {
                entries.add(m.group(1) + (m.group(3) == null ? "" : " (" + m.group(3) + ")"));
            }
        }
        List<String> expected = new ArrayList<>(
                Arrays.stream(StreamState.values()).map(StreamState::wireName).toList());
        expected.add(HealthMonitor.WARNING_CREDENTIAL + " (warning)");
        expected.add(HealthMonitor.WARNING_BLOB_EXPIRY + " (warning)");
        expected.add(HealthMonitor.WARNING_COVERAGE + " (warning)");
        expected.add(HealthMonitor.SCHEMA_DRIFT + " (record)");
        assertEquals(expected, entries);
    }

    /** The dashboard's state timeline names each code of {@code stream-health-state} as the health topic does. */
    @Test
    void theStateTimelineMapsEveryCodeToItsStateName() throws Exception {
        com.fasterxml.jackson.databind.JsonNode dashboard = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Classpaths.projectDir()
                        .resolve("config/grafana/o365-audit-dashboard.json")
                        .toFile());
        com.fasterxml.jackson.databind.JsonNode timeline = null;
        for (com.fasterxml.jackson.databind.JsonNode p : dashboard.path("panels")) {
            if (p.path("targets").toString().contains("o365_audit_stream_health_state")) {
                timeline = p;
            }
        }
        assertEquals(
                "state-timeline",
                timeline == null ? null : timeline.path("type").asText());
        com.fasterxml.jackson.databind.JsonNode options = timeline.path("fieldConfig")
                .path("defaults")
                .path("mappings")
                .path(0)
                .path("options");
        for (StreamState s : StreamState.values()) {
            assertEquals(
                    s.wireName(),
                    options.path(Integer.toString(s.code())).path("text").asText(),
                    s.name());
        }
        assertEquals(StreamState.values().length + 1, options.size(), "each code and 0 (unknown): " + options);
    }
}
