package io.github.auditlake.o365.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.auditlake.o365.O365AuditSourceConnector;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.config.O365SourceConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectorConfigsTest {
    @Test
    void buildsExactlyTheKeysSetWithTheSimulatorsUrls() {
        Map<String, String> c = ConnectorConfigs.forSimulator("http://127.0.0.1:8365")
                .connector(2)
                .tenant("t")
                .client("app", "s")
                .contentTypes(ContentType.EXCHANGE, ContentType.GENERAL)
                .lookback(Duration.ofHours(2))
                .pollInterval(Duration.ofSeconds(1))
                .noHeartbeats()
                .retryBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
                .topic("audit")
                .stringConverters()
                .task("t|Audit.Exchange", 100000)
                .with("o365.batch.max.records", "100")
                .build();

        assertEquals(
                Map.ofEntries(
                        Map.entry("o365.api.url", "http://127.0.0.1:8365"),
                        Map.entry("o365.login.url", "http://127.0.0.1:8365"),
                        Map.entry("connector.class", O365AuditSourceConnector.class.getName()),
                        Map.entry("tasks.max", "2"),
                        Map.entry("o365.tenant.id", "t"),
                        Map.entry("o365.client.id", "app"),
                        Map.entry("o365.client.secret", "s"),
                        Map.entry("o365.content.types", "Audit.Exchange,Audit.General"),
                        Map.entry("o365.initial.lookback.ms", "7200000"),
                        Map.entry("o365.poll.interval.ms", "1000"),
                        Map.entry("o365.heartbeat.interval.ms", "0"),
                        Map.entry("o365.retry.backoff.ms", "20"),
                        Map.entry("o365.retry.backoff.max.ms", "200"),
                        Map.entry("topic", "audit"),
                        Map.entry("key.converter", "org.apache.kafka.connect.storage.StringConverter"),
                        Map.entry("value.converter", "org.apache.kafka.connect.storage.StringConverter"),
                        Map.entry("o365.task.streams", "t|Audit.Exchange"),
                        Map.entry("o365.task.requests.per.minute", "100000"),
                        Map.entry("o365.batch.max.records", "100")),
                c);
    }

    @Test
    void eachBuildIsANewMutableMap() {
        ConnectorConfigs b =
                ConnectorConfigs.forSimulator("http://127.0.0.1:8365").tenant("t");
        Map<String, String> first = b.build();
        first.put(O365SourceConfig.CLIENT_SECRET_CONFIG, "changed");
        assertEquals(
                Map.of(
                        "o365.api.url",
                        "http://127.0.0.1:8365",
                        "o365.login.url",
                        "http://127.0.0.1:8365",
                        "o365.tenant.id",
                        "t"),
                b.build());
    }
}
