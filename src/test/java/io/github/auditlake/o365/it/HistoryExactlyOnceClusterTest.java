package io.github.auditlake.o365.it;

import static io.github.auditlake.o365.it.ClusterSupport.consumeUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.SimClock;
import io.github.auditlake.o365.simulator.TenantSpec;
import io.github.auditlake.o365.simulator.Volume;
import io.github.auditlake.o365.testkit.Await;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * History on a real exactly-once cluster: a connector with {@code o365.history.start=P30D} delivers the 30 simulated
 * days exactly once to a {@code read_committed} consumer, through audit search before the seam and the Management API
 * after it, across a restart of every task during the history phase, with several streams per task.
 */
@Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
class HistoryExactlyOnceClusterTest {
    static final String TENANT = "22222222-3333-4444-8555-666666666625";
    static EmbeddedConnectCluster connect;

    @BeforeAll
    static void startCluster() {
        connect = ClusterSupport.exactlyOnceCluster("o365-history", 1, Map.of());
    }

    @AfterAll
    static void stopCluster() {
        if (connect != null) {
            connect.stop();
        }
    }

    @Test
    void thirtyDaysOfHistoryThenLiveAreDeliveredExactlyOnceAcrossATaskRestartDuringHistory() throws Exception {
        try (ManagementApiSimulator sim = ManagementApiSimulator.builder()
                .clock(SimClock.system())
                .seed(TENANT.hashCode())
                .pageSize(50)
                .tenant(TenantSpec.of(TENANT)
                        .app(AppSpec.of(ClusterSupport.CLIENT)
                                .secret(ClusterSupport.SECRET)
                                .roles(AppSpec.ROLE_READ, AppSpec.ROLE_READ_DLP, AppSpec.ROLE_AUDIT_QUERY))
                        .subscribedAll(true)
                        .volumeAll(Volume.of(1, 3))
                        .backfill(Duration.ofDays(31)))
                .build()
                .start()) {
            // queries run at once (the reader still reads their states 5 s after submission)
            sim.auditSearch().queueDelay(Duration.ZERO).runTime(Duration.ZERO, Duration.ZERO);
            Instant t0 = Instant.now();
            connect.kafka().createTopic("audit-history", 1);
            Map<String, String> cfg = ClusterSupport.connector(sim, TENANT, "audit-history", Duration.ofHours(1));
            // five streams on two tasks (3 and 2): a task's streams read history side by side, and no transaction
            // ends inside any stream's open history range (on main, a restart delivered part of a range again)
            cfg.put("tasks.max", "2");
            cfg.put("o365.history.start", "P30D");
            cfg.put("exactly.once.support", "required");
            cfg.put("transaction.boundary", "connector");
            connect.configureConnector("hist", cfg);
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("hist", 2, "running");
            // history: created from a minute after the start to well before the seam (now - 7 d + 45 min);
            // live: blobs from well after the seam to a minute ago
            Set<String> ids = new HashSet<>(sim.auditSearch()
                    .recordIds(
                            TENANT,
                            t0.minus(Duration.ofDays(30)).plus(Duration.ofMinutes(1)),
                            t0.minus(Duration.ofDays(7)).plus(Duration.ofMinutes(30))));
            int historyIds = ids.size();
            ids.addAll(ClusterSupport.expected(
                    sim, TENANT, t0.minus(Duration.ofDays(7)).plus(Duration.ofHours(1)), t0.minusSeconds(60)));
            assertTrue(historyIds > 5000 && ids.size() > historyIds + 1000, historyIds + " / " + ids.size());
            String bootstrap = connect.kafka().bootstrapServers();
            Duration wait = Duration.ofSeconds(240);

            consumeUntil(bootstrap, "audit-history", true, wait, c -> c.size() > 300);
            awaitCommittedInsideHistory(wait);
            for (int task = 0; task < 2; task++) {
                connect.restartTask("hist", task);
            }

            Map<String, Integer> counts = consumeUntil(
                    bootstrap, "audit-history", true, wait, c -> c.keySet().containsAll(ids));
            Map<String, Integer> twice = new HashMap<>();
            counts.forEach((k, n) -> {
                if (n != 1) {
                    twice.put(k, n);
                }
            });
            assertEquals(Map.of(), twice, "records seen more than once by a read_committed consumer");
            assertTrue(counts.keySet().containsAll(ids), "every record of the 30 days");
            assertTrue(sim.auditSearch().queries().size() >= 5, "history came through audit search");
            connect.deleteConnector("hist");
        }
    }

    /** Waits until a stream's committed offset is inside its history phase, so the restart resumes there. */
    static void awaitCommittedInsideHistory(Duration wait) {
        String[] seen = {""};
        Await.until(
                wait,
                () -> {
                    for (ContentType t : ContentType.values()) {
                        StreamCursor c = ClusterSupport.committed(connect, "hist", TENANT, t);
                        seen[0] = t + ": " + c;
                        if (c != null && c.history() != null && c.history().active()) {
                            return true;
                        }
                    }
                    return false;
                },
                () -> "a committed offset inside history; last seen " + seen[0]);
    }
}
