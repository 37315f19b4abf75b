package io.github.auditlake.o365.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.Faults;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.SimBlob;
import io.github.auditlake.o365.simulator.SimClock;
import io.github.auditlake.o365.simulator.SimTestSupport;
import io.github.auditlake.o365.simulator.SimTestSupport.Cert;
import io.github.auditlake.o365.simulator.TenantSpec;
import io.github.auditlake.o365.simulator.Volume;
import io.github.auditlake.o365.testkit.Await;
import io.github.auditlake.o365.testkit.ConnectorConfigs;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Health as data on a real Connect cluster with the simulator: each fault an operator meets shows on the health topic
 * with the right state, and its recovery when it clears. Two tenants of one multi-tenant app signing in with a
 * certificate that expires in 5 days; one task.
 */
class HealthClusterTest {
    static final String A = "aaaaaaaa-3333-4333-8444-555555555521";
    static final String B = "bbbbbbbb-3333-4333-8444-555555555522";
    static final String HEALTH = "audit-health-it";
    static final Duration WITHIN = Duration.ofSeconds(60);
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void everyFaultAndItsRecoveryAppearOnTheHealthTopic() throws Exception {
        Cert soon = SimTestSupport.selfSigned(dir, "soon", 5);
        AppSpec appA = AppSpec.of(ClusterSupport.CLIENT).certificate(soon.certificate());
        AppSpec appB = AppSpec.of(ClusterSupport.CLIENT).certificate(soon.certificate());
        EmbeddedConnectCluster connect = new EmbeddedConnectCluster.Builder()
                .name("o365-health")
                .numWorkers(1)
                .numBrokers(1)
                .workerProps(new HashMap<>(Map.of("offset.flush.interval.ms", "500")))
                .build();
        connect.start();
        try (ManagementApiSimulator sim = ManagementApiSimulator.builder()
                .clock(SimClock.system())
                .seed(23)
                .pageSize(50)
                .tokenLifetime(Duration.ofMinutes(2)) // shorter than the refresh margin: every call signs in
                .tenant(TenantSpec.of(A)
                        .app(appA)
                        .subscribedAll(true)
                        .volumeAll(Volume.of(2, 3))
                        .backfill(Duration.ofHours(1)))
                .tenant(TenantSpec.of(B)
                        .app(appB)
                        .subscribedAll(true)
                        .volumeAll(Volume.of(2, 3))
                        .backfill(Duration.ofHours(1)))
                .build()
                .start()) {
            connect.kafka().createTopic("audit-h", 1);
            connect.kafka().createTopic(HEALTH, 1);
            connect.kafka().createTopic("o365-audit-skips", 1); // an isolated tenant's failure is published there
            Map<String, String> cfg = ConnectorConfigs.forSimulator(sim.baseUrl())
                    .connector(1)
                    .tenants(A + "," + B)
                    .clientId(ClusterSupport.CLIENT)
                    .contentTypes(ContentType.EXCHANGE, ContentType.GENERAL)
                    .lookback(Duration.ofHours(1))
                    .pollInterval(Duration.ofSeconds(1))
                    .noHeartbeats()
                    .retryBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
                    .topic("audit-h")
                    .stringConverters()
                    .with("o365.client.certificate.pem", soon.pem())
                    .with("o365.health.topic", HEALTH)
                    .with("o365.health.stalled.after.ms", "2000")
                    .with("o365.health.summary.interval.ms", "5000")
                    .with(
                            "o365.health.expiry.margin.ms",
                            Long.toString(Duration.ofHours(1).toMillis()))
                    .build();
            connect.configureConnector("health", cfg);
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("health", 1, "one task");
            String aExchange = new StreamId(A, ContentType.EXCHANGE).encode();
            String aGeneral = new StreamId(A, ContentType.GENERAL).encode();
            String bExchange = new StreamId(B, ContentType.EXCHANGE).encode();

            try (HealthTopic health = new HealthTopic(connect.kafka().bootstrapServers())) {
                // every stream starts signing in, then catches up; the certificate expiring in 5 days is warned about
                for (String k :
                        List.of(aExchange, aGeneral, bExchange, new StreamId(B, ContentType.GENERAL).encode())) {
                    health.await(0, state(k, "signing-in"));
                    health.await(0, state(k, "caught-up"));
                }
                JsonNode cert = health.record(health.await(0, warning(A, "credential-expiring")));
                assertEquals(
                        soon.certificate().getNotAfter().toInstant().toString(),
                        cert.path("details").path("notAfter").asText());
                health.await(0, warning(B, "credential-expiring"));
                JsonNode summary = health.record(
                        health.await(0, r -> "summary".equals(r.path("kind").asText())));
                assertEquals(4, summary.path("details").path("streams").size(), summary.toString());

                // throttling: every call answered AF429 (HTTP 403)
                int at = health.size();
                sim.faults().rate(Faults.Kind.THROTTLE, 1.0);
                int throttled = health.await(at, state(aExchange, "throttled"));
                sim.faults().clear();
                int back = health.await(throttled, state(aExchange, "caught-up"));
                assertEquals(
                        "throttled", health.record(back).path("previousState").asText());

                // an outage: every call answered 503 for longer than the stall threshold
                at = health.size();
                sim.faults().rate(Faults.Kind.HTTP_503, 1.0);
                JsonNode stalled = health.record(health.await(at, state(aExchange, "stalled")));
                assertTrue(stalled.path("details").hasNonNull("failingSince"), stalled.toString());
                sim.faults().clear();
                back = health.await(health.indexOf(stalled), state(aExchange, "caught-up"));
                assertEquals(
                        "stalled", health.record(back).path("previousState").asText());

                // an admin disables a subscription: the connector starts it again, and says so
                at = health.size();
                assertTrue(sim.disableSubscription(A, ClusterSupport.CLIENT, ContentType.EXCHANGE));
                JsonNode disabled = health.record(health.await(at, state(aExchange, "disabled")));
                assertEquals(
                        "AF20023", disabled.path("details").path("errorCode").asText(), disabled.toString());
                int restarted = health.await(at, state(aExchange, "subscribed"));
                assertTrue(health.record(restarted)
                        .path("details")
                        .path("startedByConnector")
                        .asBoolean());
                health.await(restarted, state(aExchange, "caught-up"));
                assertEquals(
                        java.util.Optional.of("enabled"),
                        sim.subscriptionStatus(A, ClusterSupport.CLIENT, ContentType.EXCHANGE));

                // tenant B's admin revokes the app's permissions: B's streams lack ActivityFeed.Read; A goes on
                at = health.size();
                appB.noRoles();
                JsonNode missing = health.record(health.await(at, state(bExchange, "permission-missing")));
                assertEquals(
                        "ActivityFeed.Read",
                        missing.path("details").path("permission").asText());
                appB.roles(AppSpec.ROLE_READ, AppSpec.ROLE_READ_DLP);
                health.await(health.indexOf(missing), state(bExchange, "caught-up"));

                // a blob listed 30 minutes before its contentExpiration that cannot be fetched for now
                at = health.size();
                Instant now = Instant.now();
                sim.faults().failNext(100_000, ".*/activity/feed/audit/.*", Faults.Kind.HTTP_503);
                SimBlob risky = sim.addBlob(
                        A,
                        ContentType.GENERAL,
                        now,
                        now,
                        now.plus(Duration.ofMinutes(30)),
                        List.of("{\"Id\":\"about-to-expire\",\"CreationTime\":\"2026-12-06T10:00:00\"}"));
                JsonNode risk = health.record(health.await(at, warning(aGeneral, "blob-expiry-risk")));
                assertEquals(
                        risky.contentId(),
                        risk.path("details").path("contentId").asText());
                sim.faults().clear();
                int cleared = health.await(health.indexOf(risk), warning(aGeneral, "cleared"));
                assertEquals(
                        "blob-expiry-risk",
                        health.record(cleared).path("previousState").asText());
                ClusterSupport.consumeUntil(
                        connect.kafka().bootstrapServers(),
                        "audit-h",
                        false,
                        WITHIN,
                        keys -> keys.containsKey("about-to-expire"));

                // the same states and counts in JMX, per stream (tags tenant and content-type)
                javax.management.MBeanServer jmx = java.lang.management.ManagementFactory.getPlatformMBeanServer();
                Map<String, Long> states = new HashMap<>();
                long risks = -1;
                Long pending = null;
                for (javax.management.ObjectName n : jmx.queryNames(
                        new javax.management.ObjectName("kafka.connect:type=plugins,connector=health,*"), null)) {
                    String tenant = n.getKeyProperty("tenant");
                    String type = n.getKeyProperty("content-type");
                    if (tenant != null && type != null) {
                        states.put(
                                tenant + "|" + type, ((Number) jmx.getAttribute(n, "stream-health-state")).longValue());
                        if ((A + "|Audit.General").equals(tenant + "|" + type)) {
                            pending = ((Number) jmx.getAttribute(n, "blobs-pending")).longValue();
                        }
                    } else if (tenant == null) {
                        try {
                            risks = ((Number) jmx.getAttribute(n, "blob-expiry-risks-total")).longValue();
                        } catch (javax.management.AttributeNotFoundException notThisBean) {
                            // another group of the task's metrics
                        }
                    }
                }
                assertEquals(4L, states.get(aExchange), "caught-up: " + states);
                assertEquals(4, states.size(), states.toString());
                assertEquals(0L, pending, "the risky blob was delivered");
                assertTrue(risks >= 1, "the risky blob was delivered inside the margin: " + risks);

                // a renewed certificate: registered on the app, configured, the task restarted: valid again
                Cert renewed = SimTestSupport.selfSigned(dir, "renewed", 400);
                appA.certificate(renewed.certificate());
                appB.certificate(renewed.certificate());
                at = health.size();
                cfg.put("o365.client.certificate.pem", renewed.pem());
                connect.configureConnector("health", cfg);
                JsonNode valid = health.record(health.await(at, warning(A, "credential-valid")));
                assertEquals(
                        renewed.certificate().getNotAfter().toInstant().toString(),
                        valid.path("details").path("notAfter").asText());
            }
            connect.deleteConnector("health");
        } finally {
            connect.stop();
        }
    }

    static Predicate<JsonNode> state(String key, String state) {
        return r -> "state".equals(r.path("kind").asText())
                && key.equals(r.path("key").asText())
                && state.equals(r.path("state").asText());
    }

    static Predicate<JsonNode> warning(String key, String state) {
        return r -> "warning".equals(r.path("kind").asText())
                && key.equals(r.path("key").asText())
                && state.equals(r.path("state").asText());
    }

    /** The health topic, read from the beginning; every record kept in order. */
    static final class HealthTopic implements AutoCloseable {
        final KafkaConsumer<String, String> consumer;
        final List<JsonNode> records = new ArrayList<>();

        HealthTopic(String bootstrap) {
            consumer = new KafkaConsumer<>(
                    Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                    new StringDeserializer(),
                    new StringDeserializer());
            List<TopicPartition> parts = List.of(new TopicPartition(HEALTH, 0));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
        }

        int size() {
            read();
            return records.size();
        }

        JsonNode record(int i) {
            return records.get(i);
        }

        int indexOf(JsonNode r) {
            return records.indexOf(r);
        }

        /** Waits (at most {@link #WITHIN}) for a record at or after {@code from} that matches; returns its index. */
        int await(int from, Predicate<JsonNode> match) {
            int[] found = {-1};
            Await.untilBlocking(
                    WITHIN,
                    () -> {
                        for (int i = from; i < records.size(); i++) {
                            if (match.test(records.get(i))) {
                                found[0] = i;
                                return true;
                            }
                        }
                        read();
                        return false;
                    },
                    () -> "no such health record after #" + from + "; read: " + records.subList(from, records.size()));
            return found[0];
        }

        private void read() {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                try {
                    JsonNode n = JSON.readTree(r.value());
                    assertEquals(r.key(), n.path("key").asText(), "the record key is the value's key");
                    records.add(n);
                } catch (java.io.IOException e) {
                    throw new AssertionError("a health record is not JSON: " + r.value(), e);
                }
            }
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
