package io.github.auditlake.o365.bench;

import io.github.auditlake.o365.O365AuditSourceConnector;
import io.github.auditlake.o365.O365AuditSourceTaskAccess;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.config.DefaultApiFactory;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.TenantSpec;
import io.github.auditlake.o365.testkit.ConnectorConfigs;
import io.github.auditlake.o365.testkit.FakeTaskContext;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The cost of Graph enrichment ({@code ./bench enrich [RECORDS]}): one task reads the same backlog twice against the
 * simulator in this JVM (no broker: records are acknowledged as soon as they are polled), once with enrichment off and
 * once on, and prints per run the records per second, the CPU of the connector's threads per record, and the Graph
 * requests per 1,000 records. The backlog names a realistic directory: 2,000 users, 200 apps and 100 groups (one GUID
 * in 8 unknown to the simulated directory), in sign-in records (actor, app) and Teams records (actor, group).
 */
public final class EnrichBench {
    static final String TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
    static final String CLIENT = "7d6c5b4a-3e2f-4a1b-9c8d-7e6f5a4b3c2d";
    static final String SECRET = "bench-secret";
    static final int USERS = 2_000;
    static final int APPS = 200;
    static final int GROUPS = 100;
    static final int PER_BLOB = 500;

    record Run(
            String name,
            long records,
            double seconds,
            double cpuMicrosPerRecord,
            long graphRequests,
            long graphQueries,
            long enriched,
            Map<String, Long> skipped) {
        double recordsPerSecond() {
            return records / seconds;
        }

        double requestsPer1000() {
            return graphRequests * 1000.0 / records;
        }
    }

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        System.out.println("load average at start: " + loadAverage());
        // warm-up (not reported): the JIT compiles the connector's paths before the first measured run
        run(Math.min(records, 20_000), false);
        run(Math.min(records, 20_000), true);
        List<Run> runs = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            runs.add(run(records, false));
            runs.add(run(records, true));
        }
        System.out.println();
        System.out.println(
                "| run | records | records/s | CPU-µs per record | Graph requests (queries) | per 1,000 records "
                        + "| enriched | skipped |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (Run r : runs) {
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %,d | %,.0f | %,.1f | %d (%d) | %.2f | %,d | %s |%n",
                    r.name(),
                    r.records(),
                    r.recordsPerSecond(),
                    r.cpuMicrosPerRecord(),
                    r.graphRequests(),
                    r.graphQueries(),
                    r.requestsPer1000(),
                    r.enriched(),
                    r.skipped().isEmpty() ? "none" : r.skipped().toString());
        }
        System.out.println("load average at end: " + loadAverage());
        System.exit(0);
    }

    static String loadAverage() {
        return String.format(
                Locale.ROOT,
                "%.2f",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    static String guid(String kind, int i) {
        SplittableRandom r = new SplittableRandom((kind + i).hashCode() * 0x9E3779B97F4A7C15L);
        return new UUID(
                        (r.nextLong() & 0xFFFFFFFFFFFF0FFFL) | 0x4000L,
                        (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | Long.MIN_VALUE)
                .toString();
    }

    /** An Entra ID sign-in: the user in Actor[0].ID, the app in ApplicationId, Graph as the target. */
    static String signIn(SplittableRandom r, int n, Instant t) {
        String user = guid("user", r.nextInt(USERS));
        return "{\"CreationTime\":\"" + t + "\",\"Id\":\"" + new UUID(0x5151L, n) + "\",\"Operation\":\"UserLoggedIn\","
                + "\"OrganizationId\":\"" + TENANT + "\",\"RecordType\":15,\"ResultStatus\":\"Success\","
                + "\"UserKey\":\"10032000" + Integer.toHexString(n) + "@contoso.example\",\"UserType\":0,"
                + "\"Version\":1,\"Workload\":\"AzureActiveDirectory\",\"ClientIP\":\"203.0.113." + r.nextInt(255)
                + "\",\"ObjectId\":\"00000003-0000-0000-c000-000000000000\",\"UserId\":\"user" + n
                + "@contoso.example\",\"AzureActiveDirectoryEventType\":1,\"ExtendedProperties\":[{\"Name\":"
                + "\"UserAgent\",\"Value\":\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36\"},"
                + "{\"Name\":\"RequestType\",\"Value\":\"OAuth2:Authorize\"},{\"Name\":\"ResultStatusDetail\","
                + "\"Value\":\"Success\"}],\"ModifiedProperties\":[],\"Actor\":[{\"ID\":\"" + user
                + "\",\"Type\":0},{\"ID\":\"user" + n + "@contoso.example\",\"Type\":5}],\"ActorContextId\":\""
                + TENANT + "\",\"ActorIpAddress\":\"203.0.113.7\",\"InterSystemsId\":\"" + new UUID(n, 0x1111L)
                + "\",\"IntraSystemId\":\"" + new UUID(n, 0x2222L) + "\",\"SupportTicketId\":\"\",\"Target\":[{\"ID\":"
                + "\"00000003-0000-0000-c000-000000000000\",\"Type\":0}],\"TargetContextId\":\"" + TENANT
                + "\",\"ApplicationId\":\"" + guid("app", r.nextInt(APPS)) + "\"}";
    }

    /** A Teams record: the user in UserKey, the team's group in AADGroupId. */
    static String teams(SplittableRandom r, int n, Instant t) {
        return "{\"CreationTime\":\"" + t + "\",\"Id\":\"" + new UUID(0x5252L, n) + "\",\"Operation\":\"MemberAdded\","
                + "\"OrganizationId\":\"" + TENANT + "\",\"RecordType\":25,\"UserKey\":\""
                + guid("user", r.nextInt(USERS)) + "\",\"UserType\":0,\"Version\":1,\"Workload\":\"MicrosoftTeams\","
                + "\"UserId\":\"user" + n + "@contoso.example\",\"TeamName\":\"Project " + r.nextInt(GROUPS)
                + "\",\"TeamGuid\":\"19:" + Long.toHexString(r.nextLong()) + "@thread.tacv2\",\"AADGroupId\":\""
                + guid("group", r.nextInt(GROUPS)) + "\",\"Members\":[{\"Role\":1,\"UPN\":\"member" + r.nextInt(USERS)
                + "@contoso.example\",\"DisplayName\":\"Member\"}],\"CommunicationType\":\"Team\",\"ItemName\":"
                + "\"Project\"}";
    }

    static ManagementApiSimulator simulator(int records) {
        ManagementApiSimulator sim = ManagementApiSimulator.builder()
                .seed(3)
                .requestLogLimit(1)
                .tenant(TenantSpec.of(TENANT)
                        .app(AppSpec.of(CLIENT).secret(SECRET))
                        .subscribedAll(true))
                .build()
                .start();
        Instant now = Instant.now();
        SplittableRandom r = new SplittableRandom(42);
        int blobs = (records + PER_BLOB - 1) / PER_BLOB;
        int n = 0;
        for (int b = 0; b < blobs; b++) {
            ContentType type = b % 2 == 0 ? ContentType.AZURE_ACTIVE_DIRECTORY : ContentType.GENERAL;
            Instant created = now.minus(Duration.ofMinutes(110)).plusSeconds(b * 6000L / blobs);
            List<String> recs = new ArrayList<>(PER_BLOB);
            for (int i = 0; i < PER_BLOB && n < records; i++, n++) {
                Instant t =
                        created.minusSeconds(60 + r.nextInt(600)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
                recs.add(type == ContentType.GENERAL ? teams(r, n, t) : signIn(r, n, t));
            }
            sim.addBlob(TENANT, type, created, created, recs);
        }
        return sim;
    }

    static Run run(int records, boolean enrich) throws Exception {
        try (ManagementApiSimulator sim = simulator(records)) {
            Map<String, String> props = new HashMap<>(ConnectorConfigs.forSimulator(sim.baseUrl())
                    .tenant(TENANT)
                    .client(CLIENT, SECRET)
                    .contentTypes(ContentType.AZURE_ACTIVE_DIRECTORY, ContentType.GENERAL)
                    .lookback(Duration.ofHours(2))
                    .build());
            props.put("o365.graph.url", sim.baseUrl());
            props.put("o365.enrich.enabled", Boolean.toString(enrich));
            O365AuditSourceConnector connector = new O365AuditSourceConnector();
            connector.start(props);
            Map<String, String> taskProps = connector.taskConfigs(1).get(0);
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            Set<Long> before = new HashSet<>();
            Thread.getAllStackTraces().keySet().forEach(t -> before.add(t.getId()));
            long cpuPoll0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            O365AuditSourceTaskAccess task =
                    O365AuditSourceTaskAccess.start(taskProps, new DefaultApiFactory(), new FakeTaskContext(false));
            long delivered = 0;
            long enriched = 0;
            Map<String, Long> skipped = new HashMap<>();
            Set<Thread> seen = new HashSet<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
            while (delivered < records && System.nanoTime() < deadline) {
                List<SourceRecord> batch = task.poll();
                TenantScale.connectorThreads(before).forEach(seen::add);
                if (batch == null) {
                    continue;
                }
                for (SourceRecord r : batch) {
                    if (r.topic() == null || r.sourceOffset() == null) {
                        continue;
                    }
                    String key = String.valueOf(r.key());
                    if (!key.startsWith("00000000-0000-5151-") && !key.startsWith("00000000-0000-5252-")) {
                        task.commitRecord(r);
                        continue; // not one of the backlog's audit records (a health or drift record)
                    }
                    delivered++;
                    if (r.headers().lastWithName("o365.actor.id") != null
                            || r.headers().lastWithName("o365.app.id") != null
                            || r.headers().lastWithName("o365.group.id") != null) {
                        enriched++;
                    }
                    Header s = r.headers().lastWithName("o365.enrich.skipped");
                    if (s != null) {
                        skipped.merge((String) s.value(), 1L, Long::sum);
                    }
                    task.commitRecord(r);
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long cpu = TenantScale.cpu(mx, new ArrayList<>(seen)) + mx.getCurrentThreadCpuTime() - cpuPoll0;
            task.stop();
            connector.stop();
            Run run = new Run(
                    enrich ? "enrichment on" : "enrichment off",
                    delivered,
                    seconds,
                    cpu / 1e3 / Math.max(1, delivered),
                    sim.directory().requestCount(),
                    sim.directory().requestCount()
                            - sim.directory().batchCount()
                            + sim.directory().batchQueryCount(),
                    enriched,
                    skipped);
            System.out.println(run);
            return run;
        }
    }
}
