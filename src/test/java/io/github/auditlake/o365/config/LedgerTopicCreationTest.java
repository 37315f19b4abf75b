package io.github.auditlake.o365.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.EndpointAllowList;
import io.github.auditlake.o365.api.Subscription;
import io.github.auditlake.o365.testkit.FakeManagementApi;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

/** Whether Connect creates the ledger topic compacted, and the ledger topic's own checks. */
class LedgerTopicCreationTest {
    static final String LEDGER = "o365-audit-ledger";

    static Map<String, String> creating() {
        Map<String, String> p = new HashMap<>();
        p.put("topic.creation.default.replication.factor", "-1");
        p.put("topic.creation.default.partitions", "3");
        return p;
    }

    @Test
    void aGroupWithCompactForTheLedgerTopicNeedsNoWarning() {
        Map<String, String> p = creating();
        p.put("topic.creation.groups", "ledger");
        p.put("topic.creation.ledger.include", LEDGER);
        p.put("topic.creation.ledger.cleanup.policy", "compact");
        assertEquals(Optional.empty(), LedgerTopicCreation.warning(p, LEDGER));
        p.put("topic.creation.ledger.cleanup.policy", "compact,delete");
        assertEquals(Optional.empty(), LedgerTopicCreation.warning(p, LEDGER));
        assertEquals(Optional.empty(), LedgerTopicCreation.warning(Map.of(), null), "ledger off");
    }

    @Test
    void warnsWhenConnectDoesNotCreateTheTopicForThisConnector() {
        String w = LedgerTopicCreation.warning(Map.of(), LEDGER).orElseThrow();
        assertTrue(w.contains(LEDGER) && w.contains("cleanup.policy=compact"), w);
    }

    @Test
    void warnsWhenTheDefaultGroupCreatesItWithoutCompaction() {
        String w = LedgerTopicCreation.warning(creating(), LEDGER).orElseThrow();
        assertTrue(w.contains("'default'") && w.contains("topic.creation.ledger.cleanup.policy"), w);
    }

    @Test
    void theFirstMatchingGroupDecidesAndExcludesAreHonoured() {
        Map<String, String> p = creating();
        p.put("topic.creation.groups", "all,ledger");
        p.put("topic.creation.all.include", ".*");
        p.put("topic.creation.all.cleanup.policy", "delete");
        p.put("topic.creation.ledger.include", LEDGER);
        p.put("topic.creation.ledger.cleanup.policy", "compact");
        String w = LedgerTopicCreation.warning(p, LEDGER).orElseThrow();
        assertTrue(w.contains("'all'") && w.contains("delete"), w);

        p.put("topic.creation.all.exclude", "o365-audit-led.*");
        assertEquals(Optional.empty(), LedgerTopicCreation.warning(p, LEDGER), "excluded from 'all': 'ledger' wins");
    }

    /** Every example configuration turns the ledger on, on a topic Connect creates compacted. */
    @Test
    void everyExampleConfigurationCreatesTheLedgerTopicCompacted() throws Exception {
        List<Path> examples = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("config"))) {
            s.filter(f -> f.toString().endsWith(".json") || f.toString().endsWith(".properties"))
                    .filter(f -> !f.getFileName().toString().startsWith("connect-"))
                    .filter(f -> !f.getFileName().toString().startsWith("o365-secrets"))
                    .forEach(examples::add);
        }
        examples.add(Path.of("docker", "o365-simulator-connector.json"));
        assertTrue(examples.size() >= 10, examples.toString());
        for (Path f : examples) {
            Map<String, String> p = read(f);
            assertEquals(LEDGER, p.get(O365SourceConfig.LEDGER_TOPIC_CONFIG), f + " turns the ledger on");
            assertEquals(Optional.empty(), LedgerTopicCreation.warning(p, LEDGER), f.toString());
        }
    }

    static Map<String, String> read(Path f) throws Exception {
        Map<String, String> out = new HashMap<>();
        if (f.toString().endsWith(".json")) {
            new ObjectMapper()
                    .readTree(f.toFile())
                    .fields()
                    .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        } else {
            Properties props = new Properties();
            try (Reader r = Files.newBufferedReader(f)) {
                props.load(r);
            }
            props.stringPropertyNames().forEach(k -> out.put(k, props.getProperty(k)));
        }
        return out;
    }

    @Test
    void theLedgerTopicMayBeNoOtherTopicOfTheConnector() {
        ApiFactory factory = new ApiFactory() {
            @Override
            public io.github.auditlake.o365.api.ManagementApi create(O365SourceConfig c, int rpm, boolean v) {
                return new FakeManagementApi(c.tenants().get(0), Clock.systemUTC()) {
                    @Override
                    public List<Subscription> listSubscriptions() {
                        return List.of(new Subscription(ContentType.EXCHANGE.wireName(), "enabled", null));
                    }
                };
            }
        };
        for (String clash : List.of("o365-audit", "o365-audit-skips", "o365-audit-heartbeats")) {
            Map<String, String> p = new HashMap<>();
            p.put("o365.tenant.id", "aaaaaaaa-2222-4333-8444-555555555501");
            p.put("o365.client.id", "6f1c2a4e-0b3d-4c5e-9a7f-1e2d3c4b5a69");
            p.put("o365.client.secret", "s3cret");
            p.put(O365SourceConfig.LEDGER_TOPIC_CONFIG, clash);
            Config out = new ConfigValidator(factory, EndpointAllowList.of(""))
                    .validate(p, new Config(O365SourceConfig.CONFIG_DEF.validate(p)));
            List<String> errors = new ArrayList<>();
            for (ConfigValue v : out.configValues()) {
                if (v.name().equals(O365SourceConfig.LEDGER_TOPIC_CONFIG)) {
                    errors.addAll(v.errorMessages());
                }
            }
            assertEquals(1, errors.size(), clash + ": " + errors);
            assertTrue(errors.get(0).contains(clash), errors.get(0));
        }
    }
}
