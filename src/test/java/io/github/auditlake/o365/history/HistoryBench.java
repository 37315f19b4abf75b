package io.github.auditlake.o365.history;

import io.github.auditlake.o365.api.Sleeper;
import io.github.auditlake.o365.client.ClientSettings;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.SimClock;
import io.github.auditlake.o365.simulator.TenantSpec;
import io.github.auditlake.o365.simulator.Volume;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads 30 simulated days through audit search and reports queries, requests and time against the minimum the
 * service's limits allow (a harness, not a test): {@code java -cp target/test-classes:target/classes:$(cat
 * target/test-classpath.txt) io.github.auditlake.o365.history.HistoryBench [days] [blobsPerHour] [recordsPerBlob]
 * [recordLimit]}. Time on the service's side is the simulator's clock (queries run 1 min + 30 s per day of range
 * after 20 s queued); the sleeper moves that clock, so the run takes only the CPU time it needs.
 */
public final class HistoryBench {
    private HistoryBench() {}

    public static void main(String[] args) throws Exception {
        int days = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int blobsPerHour = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        int recordsPerBlob = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        int limit = args.length > 3 ? Integer.parseInt(args[3]) : 100_000;
        Instant now = Instant.parse("2024-03-01T12:00:00Z");
        SimClock clock = SimClock.fixed(now);
        Sleeper sleeper = clock::advance;
        String tenant = HistorySimulator.TENANT;
        try (ManagementApiSimulator sim = ManagementApiSimulator.builder()
                .clock(clock)
                .tenant(TenantSpec.of(tenant)
                        .app(AppSpec.of(HistorySimulator.CLIENT).secret(HistorySimulator.SECRET))
                        .volumeAll(new Volume(blobsPerHour, recordsPerBlob, 1000))
                        .backfill(Duration.ofDays(days + 8)))
                .build()
                .start()) {
            sim.auditSearch().recordLimit(limit);
            ClientSettings s = ClientSettings.builder()
                    .tenantId(tenant)
                    .clientId(HistorySimulator.CLIENT)
                    .clientSecret(HistorySimulator.SECRET)
                    .apiBaseUrl(sim.baseUrl())
                    .loginBaseUrl(sim.baseUrl())
                    .clock(clock)
                    .sleeper(sleeper)
                    .random(new Random(1))
                    .build();
            TimeRange range = new TimeRange(now.minus(Duration.ofDays(days + 7)), now.minus(Duration.ofDays(7)));
            AtomicLong records = new AtomicLong();
            long wall = System.nanoTime();
            long queries;
            try (AuditSearchApi api = HistoryAccess.create(s)) {
                HistoryReader reader = new HistoryReader(
                        api,
                        HistorySettings.DEFAULTS,
                        new QueryBudget(HistorySettings.DEFAULT_QUERIES_PER_DAY, clock),
                        clock,
                        sleeper,
                        null,
                        "bench");
                reader.read(range, r -> records.incrementAndGet());
                queries = reader.queriesSubmitted();
            }
            double seconds = (System.nanoTime() - wall) / 1e9;
            long requests = sim.requests().stream()
                    .filter(r -> r.path().contains("/security/auditLog/"))
                    .count();
            long pages = sim.requests().stream()
                    .filter(r -> r.path().endsWith("/records"))
                    .count();
            long minQueries = (records.get() + limit - 1) / limit;
            long minPages = (records.get() + 999) / 1000;
            Duration service = Duration.between(now, clock.instant());
            System.out.printf(
                    "days=%d records=%d limit=%d%n queries=%d (minimum by the record limit %d)%n"
                            + " requests=%d (record pages %d, minimum pages %d; minimum requests %d = a submission"
                            + " and a state read per minimal query plus the pages)%n"
                            + " service time=%s (one query over the whole range would run %s)%n wall=%.1f s%n",
                    days,
                    records.get(),
                    limit,
                    queries,
                    minQueries,
                    requests,
                    pages,
                    minPages,
                    2 * minQueries + minPages,
                    service,
                    Duration.ofSeconds(20)
                            .plus(Duration.ofMinutes(1))
                            .plus(Duration.ofSeconds(30).multipliedBy(days)),
                    seconds);
        }
    }
}
