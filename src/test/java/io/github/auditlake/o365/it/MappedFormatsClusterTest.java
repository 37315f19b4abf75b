package io.github.auditlake.o365.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.mapping.SchemaFacts;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.Volume;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.Test;

/** The ecs and ocsf value formats on a real Connect cluster, with StringConverter, an unknown RecordType included. */
class MappedFormatsClusterTest {
    static final String TENANT = "44444444-3333-4444-8555-666666666628";

    @Test
    void ecsAndOcsfRecordsArriveValidWithTheirOriginalIncludingAnUnknownRecordType() throws Exception {
        EmbeddedConnectCluster connect = new EmbeddedConnectCluster.Builder()
                .name("o365-mapped")
                .numWorkers(1)
                .numBrokers(1)
                .workerProps(new HashMap<>(Map.of("offset.flush.interval.ms", "500")))
                .build();
        connect.start();
        try (ManagementApiSimulator sim = ClusterSupport.simulator(TENANT, Volume.of(2, 3), Duration.ofHours(1), 0)) {
            Instant now = Instant.now();
            String known = "{\"Id\":\"map-1\",\"CreationTime\":\"2026-11-29T10:00:00\",\"Operation\":\"FileAccessed\","
                    + "\"Workload\":\"SharePoint\",\"RecordType\":6,\"UserId\":\"caf\u00e9@contoso.example\","
                    + "\"ClientIP\":\"203.0.113.5:443\",\"ObjectId\":\"https://contoso.sharepoint.com/a/b.docx\"}";
            String unknown = "{\"Id\":\"map-2\",\"CreationTime\":\"2026-11-29T10:00:01\",\"Operation\":\"Brand.New\","
                    + "\"Workload\":\"Next\",\"RecordType\":9999,\"Amount\":2.50}";
            sim.addBlob(
                    TENANT,
                    ContentType.SHAREPOINT,
                    now.minus(Duration.ofMinutes(10)),
                    now.minus(Duration.ofMinutes(10)),
                    List.of(known, unknown));
            for (String format : List.of("ecs", "ocsf")) {
                String topic = "audit-" + format;
                connect.kafka().createTopic(topic, 1);
                Map<String, String> cfg = ClusterSupport.connector(sim, TENANT, topic, Duration.ofHours(1));
                cfg.put("o365.content.types", "Audit.SharePoint");
                cfg.put("tasks.max", "1");
                cfg.put("o365.value.format", format);
                cfg.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
                connect.configureConnector(format, cfg);
            }
            ObjectMapper json = new ObjectMapper();
            for (String[] rec : List.of(new String[] {"map-1", known}, new String[] {"map-2", unknown})) {
                String ecsText = new String(
                        ValueFormatsClusterTest.valueOf(connect, "audit-ecs", rec[0]), StandardCharsets.UTF_8);
                assertTrue(ecsText.contains("\"audit\":" + rec[1]), "the original verbatim: " + ecsText);
                JsonNode ecs = json.readTree(ecsText);
                assertEquals(List.of(), SchemaFacts.ecsProblems(ecs));
                JsonNode ocsf = json.readTree(ValueFormatsClusterTest.valueOf(connect, "audit-ocsf", rec[0]));
                assertEquals(List.of(), SchemaFacts.ocsfProblems(ocsf));
                assertEquals(rec[1], ocsf.get("raw_data").asText());
            }
        } finally {
            connect.stop();
        }
    }
}
