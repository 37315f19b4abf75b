package io.github.auditlake.o365.it;

import static io.github.auditlake.o365.it.ClusterSupport.connector;
import static io.github.auditlake.o365.it.ClusterSupport.consumeUntil;
import static io.github.auditlake.o365.it.ClusterSupport.simulator;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.Volume;
import io.github.auditlake.o365.testkit.Await;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.connect.util.clusters.WorkerHandle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Exactly-once (KIP-618) on a real cluster: a {@code read_committed} consumer sees every record exactly once across
 * a task restart and the graceful removal of the worker running the task, each requested while the stored offset was
 * inside a blob. (A worker killed with SIGKILL is {@code WorkerCrashIT}: separate processes.)
 */
@Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
class ExactlyOnceClusterTest {
    static EmbeddedConnectCluster connect;

    @BeforeAll
    static void startCluster() {
        Map<String, String> worker = new HashMap<>();
        worker.put("exactly.once.source.support", "enabled");
        worker.put("offset.flush.interval.ms", "500");
        worker.put("scheduled.rebalance.max.delay.ms", "1000");
        Properties broker = new Properties();
        broker.put("transaction.state.log.replication.factor", "1");
        broker.put("transaction.state.log.min.isr", "1");
        connect = new EmbeddedConnectCluster.Builder()
                .name("o365-eos")
                .numWorkers(2)
                .numBrokers(1)
                .workerProps(worker)
                .brokerProps(broker)
                .build();
        connect.start();
    }

    @AfterAll
    static void stopCluster() {
        if (connect != null) {
            connect.stop();
        }
    }

    @Test
    void readCommittedConsumerSeesEveryRecordExactlyOnceAcrossATaskRestartAndAGracefulWorkerRemovalInsideBlobs()
            throws Exception {
        String tenant = "22222222-3333-4444-8555-666666666601";
        try (ManagementApiSimulator sim = simulator(tenant, Volume.of(6, 400), Duration.ofHours(4), 0)) {
            sim.faults().latency(Duration.ofMillis(2), Duration.ofMillis(8));
            Instant t0 = Instant.now();
            connect.kafka().createTopic("audit-eos", 1);
            Map<String, String> cfg = connector(sim, tenant, "audit-eos", Duration.ofHours(4));
            cfg.put("tasks.max", "1");
            cfg.put("o365.content.types", "Audit.Exchange,Audit.General");
            cfg.put("exactly.once.support", "required");
            cfg.put("transaction.boundary", "connector");
            cfg.put("o365.transaction.max.records", "150");
            cfg.put("o365.batch.max.records", "100");
            connect.configureConnector("eos", cfg);
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("eos", 1, "running");
            Set<String> ids = new HashSet<>();
            for (ContentType t : new ContentType[] {ContentType.EXCHANGE, ContentType.GENERAL}) {
                ids.addAll(sim.expectedRecordIds(
                        tenant, t, t0.minus(Duration.ofHours(4)).plus(Duration.ofMinutes(5)), t0));
            }
            assertTrue(ids.size() > 5000, "enough records to restart inside blobs: " + ids.size());
            String bootstrap = connect.kafka().bootstrapServers();
            Duration wait = Duration.ofSeconds(120);

            consumeUntil(bootstrap, "audit-eos", true, wait, c -> c.size() > 1500);
            awaitStoredOffsetInsideABlob(tenant, wait);
            connect.restartTask("eos", 0);

            consumeUntil(bootstrap, "audit-eos", true, wait, c -> c.size() > 4000);
            awaitStoredOffsetInsideABlob(tenant, wait);
            String workerId = connect.connectorStatus("eos").tasks().get(0).workerId();
            WorkerHandle victim = connect.workers().stream()
                    .filter(w -> workerId.endsWith(":" + w.url().getPort()))
                    .findFirst()
                    .orElseThrow();
            connect.removeWorker(victim);
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("eos", 1, "task moved");

            Map<String, Integer> counts = consumeUntil(
                    bootstrap, "audit-eos", true, wait, c -> c.keySet().containsAll(ids));
            Map<String, Integer> twice = new HashMap<>();
            counts.forEach((k, n) -> {
                if (n != 1) {
                    twice.put(k, n);
                }
            });
            assertEquals(Map.of(), twice, "records seen more than once by a read_committed consumer");
            assertEquals(ids, counts.keySet().stream().filter(ids::contains).collect(Collectors.toSet()));
            connect.deleteConnector("eos");
        }
    }

    /**
     * Waits until a stream's committed offset (transactions end inside blobs every o365.transaction.max.records)
     * is inside a blob, so the restart that follows resumes inside it.
     */
    static void awaitStoredOffsetInsideABlob(String tenant, Duration wait) {
        String[] seen = {""};
        Await.until(
                wait,
                () -> {
                    for (ContentType t : new ContentType[] {ContentType.EXCHANGE, ContentType.GENERAL}) {
                        StreamCursor c = ClusterSupport.committed(connect, "eos", tenant, t);
                        seen[0] = t + ": " + c;
                        if (c != null
                                && c.inProgress() != null
                                && c.inProgress().recordsDone() > 0) {
                            return true;
                        }
                    }
                    return false;
                },
                () -> "a stored offset with blob.records; last seen " + seen[0]);
    }
}
