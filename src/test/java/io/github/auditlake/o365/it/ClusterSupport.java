package io.github.auditlake.o365.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.SimBlob;
import io.github.auditlake.o365.simulator.SimClock;
import io.github.auditlake.o365.simulator.TenantSpec;
import io.github.auditlake.o365.simulator.Volume;
import io.github.auditlake.o365.testkit.Await;
import io.github.auditlake.o365.testkit.ConnectorConfigs;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Shared pieces of the real-cluster tests: a simulator tenant, connector configs, a consumer of keys. */
final class ClusterSupport {
    static final String CLIENT = "6f1c2a4e-0b3d-4c5e-9a7f-1e2d3c4b5a69";
    static final String SECRET = "it-s3cret";

    private ClusterSupport() {}

    static ManagementApiSimulator simulator(String tenant, Volume volume, Duration backfill, double duplicates) {
        return simulator(
                tenant, volume, backfill, duplicates, AppSpec.of(CLIENT).secret(SECRET), Duration.ofSeconds(3599));
    }

    /** A simulator whose app registration the test keeps (to rotate its secret), with a chosen token lifetime. */
    static ManagementApiSimulator simulator(
            String tenant, Volume volume, Duration backfill, double duplicates, AppSpec app, Duration tokenLifetime) {
        return ManagementApiSimulator.builder()
                .clock(SimClock.system())
                .seed(tenant.hashCode())
                .pageSize(50)
                .tokenLifetime(tokenLifetime)
                .tenant(TenantSpec.of(tenant)
                        .app(app.roles(AppSpec.ROLE_READ, AppSpec.ROLE_READ_DLP))
                        .volumeAll(volume)
                        .backfill(backfill)
                        .duplicates(duplicates))
                .build()
                .start();
    }

    static Map<String, String> connector(ManagementApiSimulator sim, String tenant, String topic, Duration lookback) {
        return ConnectorConfigs.forSimulator(sim.baseUrl())
                .connector(2)
                .tenant(tenant)
                .client(CLIENT, SECRET)
                .lookback(lookback)
                .pollInterval(Duration.ofSeconds(1))
                .noHeartbeats()
                .retryBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
                .topic(topic)
                .stringConverters()
                .build();
    }

    /** Every record id the simulator made available for the tenant's five streams in {@code [from, to)}. */
    static Set<String> expected(ManagementApiSimulator sim, String tenant, Instant from, Instant to) {
        Set<String> all = new java.util.HashSet<>();
        for (ContentType t : ContentType.values()) {
            all.addAll(sim.expectedRecordIds(tenant, t, from, to));
        }
        return all;
    }

    /** Reads the topic from the beginning, counting keys, until {@code done} holds or the deadline passes. */
    static Map<String, Integer> consumeUntil(
            String bootstrap,
            String topic,
            boolean readCommitted,
            Duration timeout,
            Predicate<Map<String, Integer>> done) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                readCommitted ? "read_committed" : "read_uncommitted",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                5000);
        Map<String, Integer> counts = new HashMap<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Await.untilBlocking(
                    timeout,
                    () -> {
                        if (done.test(counts)) {
                            return true;
                        }
                        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(250))) {
                            counts.merge(r.key(), 1, Integer::sum);
                        }
                        return false;
                    },
                    () -> counts.size() + " distinct keys read");
        }
        return counts;
    }

    /** Consumes until every id the simulator served in {@code [from, to)} is in the topic; on failure, says which. */
    static Map<String, Integer> awaitAllDelivered(
            ManagementApiSimulator sim,
            String tenant,
            Instant from,
            Instant to,
            String bootstrap,
            String topic,
            boolean readCommitted,
            Duration timeout) {
        Set<String> ids = expected(sim, tenant, from, to);
        assertTrue(ids.size() > 50, "the simulator served data: " + ids.size());
        Map<String, Integer> seen = new HashMap<>();
        try {
            return consumeUntil(bootstrap, topic, readCommitted, timeout, c -> {
                seen.clear();
                seen.putAll(c);
                return c.keySet().containsAll(ids);
            });
        } catch (AssertionError e) {
            StringBuilder sb = new StringBuilder("missing records:");
            for (ContentType t : ContentType.values()) {
                for (var b : sim.blobs(tenant, t, from, to)) {
                    long missing = b.recordIds().stream()
                            .filter(id -> !seen.containsKey(id))
                            .count();
                    if (missing > 0) {
                        sb.append("\n  ")
                                .append(b)
                                .append(" missing ")
                                .append(missing)
                                .append(" served=")
                                .append(sim.servedBlobs(tenant, t).contains(b));
                        for (var r : sim.requests()) {
                            var st = r.query("startTime");
                            var en = r.query("endTime");
                            if (r.path().endsWith("/subscriptions/content")
                                    && st.isPresent()
                                    && en.isPresent()
                                    && r.query("contentType").orElse("").equals(t.wireName())) {
                                Instant a = Instant.parse(st.get());
                                Instant z = Instant.parse(en.get());
                                if (!b.contentCreated().isBefore(a)
                                        && b.contentCreated().isBefore(z)) {
                                    sb.append("\n      listed by [")
                                            .append(a)
                                            .append(", ")
                                            .append(z)
                                            .append(") status ")
                                            .append(r.status())
                                            .append(" at ")
                                            .append(r.toString().length() > 0 ? "" : "");
                                }
                            }
                        }
                    }
                }
            }
            throw new AssertionError(sb.toString(), e);
        }
    }

    /** A cluster with exactly-once source support: one broker with a single-replica transaction log. */
    static org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster exactlyOnceCluster(
            String name, int workers, Map<String, String> extra) {
        Map<String, String> worker = new HashMap<>();
        worker.put("exactly.once.source.support", "enabled");
        worker.put("offset.flush.interval.ms", "500");
        worker.put("scheduled.rebalance.max.delay.ms", "1000");
        worker.putAll(extra);
        java.util.Properties broker = new java.util.Properties();
        broker.put("transaction.state.log.replication.factor", "1");
        broker.put("transaction.state.log.min.isr", "1");
        org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster c =
                new org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster.Builder()
                        .name(name)
                        .numWorkers(workers)
                        .numBrokers(1)
                        .workerProps(worker)
                        .brokerProps(broker)
                        .build();
        c.start();
        return c;
    }

    /** The committed offset of a stream of the connector, read through the REST API, or null. */
    static StreamCursor committed(
            org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster connect,
            String connector,
            String tenant,
            ContentType type) {
        for (org.apache.kafka.connect.runtime.rest.entities.ConnectorOffset o :
                connect.connectorOffsets(connector).offsets()) {
            if (tenant.equals(o.partition().get("tenant"))
                    && type.wireName().equals(o.partition().get("contentType"))
                    && o.offset() != null) {
                return StreamCursor.fromOffset(o.offset());
            }
        }
        return null;
    }

    /** True when {@code cursor} says {@code blob} was delivered completely. */
    static boolean covers(StreamCursor cursor, SimBlob blob) {
        return cursor != null
                && cursor.isDone(new ContentBlob(
                        blob.type().wireName(),
                        blob.contentId(),
                        "unused",
                        blob.contentCreated(),
                        blob.contentExpiration()));
    }

    static Predicate<Map<String, Integer>> containsAll(Set<String> ids) {
        return counts -> counts.keySet().containsAll(ids);
    }
}
