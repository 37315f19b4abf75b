package io.github.auditlake.o365.it;

import static io.github.auditlake.o365.it.ClusterSupport.connector;
import static io.github.auditlake.o365.it.ClusterSupport.consumeUntil;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

/**
 * The straggler cluster tests' common course: an exactly-once connector (one task, Audit.Exchange and
 * Audit.SharePoint, 24 h coverage) that first delivers the simulated day, then stragglers made visible during the run.
 */
final class StragglerRun {
    static final List<ContentType> TYPES = List.of(ContentType.EXCHANGE, ContentType.SHAREPOINT);

    final ManagementApiSimulator sim;
    final String tenant;
    final String topic;
    final String bootstrap;

    private StragglerRun(ManagementApiSimulator sim, String tenant, String topic, String bootstrap) {
        this.sim = sim;
        this.tenant = tenant;
        this.topic = topic;
        this.bootstrap = bootstrap;
    }

    /**
     * Starts connector {@code name} writing to {@code topic} (the test's own {@code settings} applied last) and waits
     * until every record of the day before the start is in the topic.
     */
    static StragglerRun start(
            EmbeddedConnectCluster connect,
            ManagementApiSimulator sim,
            String tenant,
            String topic,
            String name,
            Consumer<Map<String, String>> settings)
            throws Exception {
        Instant t0 = Instant.now();
        connect.kafka().createTopic(topic, 1);
        Map<String, String> cfg = new HashMap<>(connector(sim, tenant, topic, Duration.ofHours(24)));
        cfg.remove("o365.heartbeat.interval.ms");
        cfg.remove("o365.retry.backoff.ms");
        cfg.remove("o365.retry.backoff.max.ms");
        cfg.put("o365.content.types", "Audit.Exchange,Audit.SharePoint");
        cfg.put("tasks.max", "1");
        cfg.put("exactly.once.support", "required");
        cfg.put("transaction.boundary", "connector");
        settings.accept(cfg);
        connect.configureConnector(name, cfg);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(name, 1, "running");
        Set<String> ids = new HashSet<>();
        for (ContentType t : TYPES) {
            ids.addAll(
                    sim.expectedRecordIds(tenant, t, t0.minus(Duration.ofHours(23)), t0.minus(Duration.ofMinutes(5))));
        }
        String bootstrap = connect.kafka().bootstrapServers();
        consumeUntil(
                bootstrap, topic, true, Duration.ofSeconds(180), c -> c.keySet().containsAll(ids));
        return new StragglerRun(sim, tenant, topic, bootstrap);
    }

    /**
     * Adds one blob of one record per content type and lag, created {@code lag} before {@code visible} and visible
     * from then on (spans the connector listed long before), and returns the records' Ids.
     */
    List<String> addStragglers(Instant visible, List<Duration> lags) {
        List<String> late = new ArrayList<>();
        int i = 0;
        for (Duration lag : lags) {
            for (ContentType t : TYPES) {
                String id = "straggler-" + lag.toMinutes() + "m-" + (i++);
                sim.addBlob(
                        tenant,
                        t,
                        visible.minus(lag),
                        visible,
                        List.of("{\"Id\":\"" + id + "\",\"CreationTime\":\"2026-11-29T01:00:00\"}"));
                late.add(id);
            }
        }
        return late;
    }

    /**
     * Waits until the connector has listed each content type up to now (a listing answered 200 whose end reaches the
     * time it was asked), so that what becomes visible afterwards is found by the listings of a caught-up stream,
     * which measure lateness: blobs found while a stream still catches up are not measured. {@link #start} returns
     * once the records up to 5 minutes ago are in the topic, which can be before the last catch-up window is listed.
     */
    void awaitListedUpToNow(Duration wait) {
        io.github.auditlake.o365.testkit.Await.until(
                wait,
                () -> TYPES.stream()
                        .allMatch(t -> sim.requests().stream()
                                .anyMatch(r -> r.path().endsWith("/subscriptions/content")
                                        && r.status() == 200
                                        && r.query("contentType").orElse("").equals(t.wireName())
                                        && r.query("endTime").isPresent()
                                        && !Instant.parse(r.query("endTime").get())
                                                .isBefore(r.start().minusSeconds(90)))),
                () -> "no listing up to now of each of " + TYPES);
    }

    /** Reads the topic (read_committed) until {@code done} holds for the counts by key, within {@code wait}. */
    Map<String, Integer> consume(Duration wait, java.util.function.Predicate<Map<String, Integer>> done)
            throws Exception {
        return consumeUntil(bootstrap, topic, true, wait, done);
    }

    /** Full 24-hour listings of Audit.Exchange the simulator answered after {@code since}: the day sweeps. */
    long sweepsSince(Instant since) {
        return sim.requests().stream()
                .filter(r -> r.path().endsWith("/subscriptions/content")
                        && r.query("contentType").orElse("").equals("Audit.Exchange")
                        && r.query("startTime").isPresent()
                        && r.start().isAfter(since)
                        && Duration.between(
                                                Instant.parse(
                                                        r.query("startTime").get()),
                                                Instant.parse(r.query("endTime").get()))
                                        .compareTo(Duration.ofHours(20))
                                > 0)
                .count();
    }

    /** The keys seen other than once, with their counts. */
    static Map<String, Integer> notOnce(Map<String, Integer> counts) {
        Map<String, Integer> twice = new HashMap<>();
        counts.forEach((k, n) -> {
            if (n != 1) {
                twice.put(k, n);
            }
        });
        return twice;
    }
}
