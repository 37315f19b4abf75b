package io.github.auditlake.o365.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.mapping.AuditMapping;
import io.github.auditlake.o365.mapping.MappingTables;
import io.github.auditlake.o365.mapping.SchemaFacts;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every record the simulator generates, of every content type, maps to valid ECS and OCSF and keeps its original. */
class SimRecordsMappingTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void simulatorRecordsMapToValidEcsAndOcsf() throws Exception {
        AuditMapping ecs = new AuditMapping(MappingTables.Target.ECS);
        AuditMapping ocsf = new AuditMapping(MappingTables.Target.OCSF);
        Instant t0 = Instant.parse("2026-11-20T10:00:00Z");
        int mapped = 0;
        List<String> problems = new ArrayList<>();
        for (ContentType type : ContentType.values()) {
            SimBlob blob = new SimBlob(
                    "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d",
                    type,
                    ContentStore.contentId(type, t0.minusSeconds(60), t0, 42, "na0010"),
                    t0,
                    t0,
                    t0.plus(Duration.ofDays(7)),
                    150,
                    type.ordinal() * 7919L + 13,
                    0,
                    null,
                    0,
                    null,
                    null);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            RecordGenerator.writeBody(blob, out, -1);
            for (JsonNode n : JSON.readTree(out.toByteArray())) {
                String text = JSON.writeValueAsString(n);
                AuditRecord r = AuditRecord.fromUtf8(
                        text.getBytes(StandardCharsets.UTF_8),
                        n.path("Id").asText(null),
                        n.path("CreationTime").asText(null),
                        n.path("Workload").asText(null),
                        n.path("RecordType").isInt() ? n.get("RecordType").asInt() : null,
                        n.path("Operation").asText(null));
                ObjectNode tree = AuditMapping.parse(r);
                JsonNode e = JSON.readTree(ecs.map(r, tree));
                JsonNode o = JSON.readTree(ocsf.map(r, tree));
                SchemaFacts.ecsProblems(e).forEach(p -> problems.add(type + " ECS " + p + " in " + text));
                SchemaFacts.ocsfProblems(o).forEach(p -> problems.add(type + " OCSF " + p + " in " + text));
                assertEquals(n, e.path("o365").path("audit"));
                assertEquals(text, o.path("raw_data").asText());
                mapped++;
            }
        }
        assertEquals(List.of(), problems.stream().limit(10).toList());
        assertTrue(mapped >= 5 * 150, "mapped " + mapped);
    }
}
