package io.github.auditlake.o365;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.config.O365SourceConfig;
import io.github.auditlake.o365.records.RecordMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ecs and ocsf value formats and the record.type.name header pass the connector's validation (no cluster). */
class MappedValueFormatsConfigTest {
    @Test
    void theConnectorAcceptsTheEcsAndOcsfValueFormats() {
        for (String f : List.of("ecs", "ocsf", "OCSF")) {
            O365AuditSourceConnector c = new O365AuditSourceConnector(
                    (cfg, rpm, v) -> new io.github.auditlake.o365.testkit.FakeManagementApi(
                            O365AuditSourceConnectorTest.TENANT, java.time.Clock.systemUTC()));
            Map<String, String> p = O365AuditSourceConnectorTest.props();
            p.put("o365.value.format", f);
            p.put("o365.headers", "record.type,record.type.name");
            Map<String, List<String>> errors = O365AuditSourceConnectorTest.errors(c.validate(p));
            assertTrue(
                    !errors.containsKey("o365.value.format") && !errors.containsKey("o365.headers"), errors.toString());
            O365SourceConfig config = new O365SourceConfig(p);
            assertEquals(
                    f.equalsIgnoreCase("ecs") ? RecordMapper.ValueFormat.ECS : RecordMapper.ValueFormat.OCSF,
                    config.valueFormat());
        }
    }

    @Test
    void theEcsExampleConfigurationIsValid() throws Exception {
        Map<String, String> p = new java.util.HashMap<>(new com.fasterxml.jackson.databind.ObjectMapper()
                .readValue(
                        java.nio.file.Path.of("config/o365-source-ecs.json").toFile(),
                        new com.fasterxml.jackson.core.type.TypeReference<Map<String, String>>() {}));
        p.put("o365.client.secret", "s3cret"); // the example reads it from a file through a config provider
        O365AuditSourceConnector c =
                new O365AuditSourceConnector((cfg, rpm, v) -> new io.github.auditlake.o365.testkit.FakeManagementApi(
                        O365AuditSourceConnectorTest.TENANT, java.time.Clock.systemUTC()));
        assertEquals(Map.of(), O365AuditSourceConnectorTest.errors(c.validate(p)));
        assertEquals(RecordMapper.ValueFormat.ECS, new O365SourceConfig(p).valueFormat());
    }

    @Test
    void anUnknownValueFormatIsStillRefused() {
        O365AuditSourceConnector c =
                new O365AuditSourceConnector((cfg, rpm, v) -> new io.github.auditlake.o365.testkit.FakeManagementApi(
                        O365AuditSourceConnectorTest.TENANT, java.time.Clock.systemUTC()));
        Map<String, String> p = O365AuditSourceConnectorTest.props();
        p.put("o365.value.format", "cef");
        assertTrue(O365AuditSourceConnectorTest.errors(c.validate(p)).containsKey("o365.value.format"));
    }
}
