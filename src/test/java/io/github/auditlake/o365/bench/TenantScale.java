package io.github.auditlake.o365.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.auditlake.o365.O365AuditSourceConnector;
import io.github.auditlake.o365.O365AuditSourceTaskAccess;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.config.DefaultApiFactory;
import io.github.auditlake.o365.settings.CollectionSettings;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.TenantSpec;
import io.github.auditlake.o365.simulator.Volume;
import io.github.auditlake.o365.testkit.ConnectorConfigs;
import io.github.auditlake.o365.testkit.FakeTaskContext;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The tenant-scale scenario ({@code ./bench tenants [N ...]}): one connector, one task, with N simulated tenants
 * (one in 25 busy with two hours of backlog, the rest quiet), in one JVM with the simulator (no broker: what is
 * measured is the connector's own cost per tenant). Per size it prints threads, heap after GC, CPU and listings per
 * tenant per hour while caught up, offset bytes, {@code validate()} time and the time from start to all caught up, and
 * the growth of each from the smallest size to the largest.
 */
public final class TenantScale {
    static final String CLIENT = "7d6c5b4a-3e2f-4a1b-9c8d-7e6f5a4b3c2d";
    static final String SECRET = "bench-secret";
    static final ObjectMapper JSON = new ObjectMapper();

    record Row(
            int tenants,
            int threads,
            double heapKibPerTenant,
            double cpuMsPerTenantHour,
            double listingsPerTenantHour,
            double offsetBytesPerStream,
            double validateSeconds,
            double caughtUpSeconds,
            long records) {}

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = new ArrayList<>();
        Duration idle = Duration.ofSeconds(Long.getLong("bench.tenants.idle.seconds", 120));
        for (String a : args) {
            sizes.add(Integer.parseInt(a));
        }
        if (sizes.isEmpty()) {
            sizes.addAll(List.of(10, 100, 500));
        }
        List<Row> rows = new ArrayList<>();
        for (int n : sizes) {
            Row r = run(n, idle);
            rows.add(r);
            System.out.println(r);
        }
        System.out.println();
        System.out.println(table(rows, idle));
        System.exit(0);
    }

    static String tenant(int i) {
        return String.format(Locale.ROOT, "%08x-4b4b-4c4c-8d8d-%012d", i + 1, i + 1);
    }

    static Row run(int n, Duration idle) throws Exception {
        ManagementApiSimulator.Builder b = ManagementApiSimulator.builder()
                .seed(n)
                .requestLogLimit(1); // the simulator's own log stays the same size whatever the tenants
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String t = tenant(i);
            ids.add(t);
            TenantSpec spec =
                    TenantSpec.of(t).app(AppSpec.of(CLIENT).secret(SECRET)).subscribedAll(true);
            if (i % 25 == 0) { // busy: two hours of backlog, and more as it runs
                spec = spec.volume(ContentType.EXCHANGE, Volume.of(120, 20)).backfill(Duration.ofHours(2));
            }
            b.tenant(spec);
        }
        try (ManagementApiSimulator sim = b.build().start()) {
            Map<String, String> props = ConnectorConfigs.forSimulator(sim.baseUrl())
                    .tenants(String.join(",", ids))
                    .client(CLIENT, SECRET)
                    .lookback(Duration.ofHours(2))
                    .with(
                            CollectionSettings.POLL_IDLE_MAX_MS.key(),
                            Long.getLong("bench.tenants.idle.max.ms", 0L).toString())
                    .build();
            // validate(): signs in to every tenant and lists its subscriptions
            long v0 = System.nanoTime();
            Config checked = new O365AuditSourceConnector().validate(props);
            double validateSeconds = (System.nanoTime() - v0) / 1e9;
            long errors = checked.configValues().stream()
                    .mapToLong(c -> c.errorMessages().size())
                    .sum();
            if (errors > 0) {
                throw new IllegalStateException("validate() found errors: " + checked.configValues());
            }

            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            java.util.Set<Long> before = new java.util.HashSet<>();
            Thread.getAllStackTraces().keySet().forEach(t -> before.add(t.getId()));
            long heapBefore = heapAfterGc();
            O365AuditSourceConnector connector = new O365AuditSourceConnector();
            connector.start(props);
            Map<String, String> taskProps = connector.taskConfigs(1).get(0);
            long t0 = System.nanoTime();
            O365AuditSourceTaskAccess task =
                    O365AuditSourceTaskAccess.start(taskProps, new DefaultApiFactory(), new FakeTaskContext(false));
            Map<Object, Map<String, ?>> offsets = new HashMap<>();
            long[] records = {0};
            int streams = n * ContentType.values().length;
            // caught up: every stream listed at least twice (its first listing reaches now, the second is a caught-up
            // stream's next one) and the busy tenants' backlog delivered (nothing new for 5 s)
            long quietSince = System.nanoTime();
            while (task.metrics().windowsListed.sum() < 2L * streams
                    || System.nanoTime() - quietSince < Duration.ofSeconds(5).toNanos()) {
                if (drain(task, offsets, records) > 0) {
                    quietSince = System.nanoTime();
                }
            }
            double caughtUpSeconds = (System.nanoTime() - t0) / 1e9 - 5;
            long windowsBefore = task.metrics().windowsListed.sum();

            // caught up: CPU of the connector's threads (and this polling thread) and listings over the idle window
            List<Thread> measured = connectorThreads(before);
            long cpu0 = cpu(mx, measured) + mx.getCurrentThreadCpuTime();
            long idleEnd = System.nanoTime() + idle.toNanos();
            while (System.nanoTime() < idleEnd) {
                drain(task, offsets, records);
            }
            long cpuNanos = cpu(mx, measured) + mx.getCurrentThreadCpuTime() - cpu0;
            long listings = task.metrics().windowsListed.sum() - windowsBefore;
            int threads = connectorThreads(before).size();
            long heapAfter = heapAfterGc();
            double hours = idle.toMillis() / 3_600_000.0;
            long offsetBytes = 0;
            for (Map.Entry<Object, Map<String, ?>> e : offsets.entrySet()) {
                offsetBytes += JSON.writeValueAsBytes(e.getKey()).length + JSON.writeValueAsBytes(e.getValue()).length;
            }
            task.stop();
            connector.stop();
            return new Row(
                    n,
                    threads,
                    (heapAfter - heapBefore) / 1024.0 / n,
                    cpuNanos / 1e6 / n / hours,
                    listings / (double) n / hours,
                    offsets.isEmpty() ? 0 : offsetBytes / (double) offsets.size(),
                    validateSeconds,
                    caughtUpSeconds,
                    records[0]);
        }
    }

    /** One poll; each record is acknowledged at once, as a worker does once the broker has it. */
    static int drain(O365AuditSourceTaskAccess task, Map<Object, Map<String, ?>> offsets, long[] records)
            throws InterruptedException {
        List<SourceRecord> batch = task.poll();
        if (batch == null) {
            return 0;
        }
        for (SourceRecord r : batch) {
            offsets.put(r.sourcePartition(), r.sourceOffset());
            task.commitRecord(r);
        }
        records[0] += batch.size();
        return batch.size();
    }

    /** The threads the connector made since {@code before}: the engine's ({@code o365-*}) and the HTTP client's. */
    static List<Thread> connectorThreads(java.util.Set<Long> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t.getId()) && t.isAlive())
                .filter(t -> t.getName().startsWith("o365-") || t.getName().startsWith("OkHttp"))
                .toList();
    }

    static long cpu(ThreadMXBean mx, List<Thread> threads) {
        long sum = 0;
        for (Thread t : threads) {
            long c = mx.getThreadCpuTime(t.getId());
            if (c > 0) {
                sum += c;
            }
        }
        return sum;
    }

    static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Issue 27's flatness bound: a per-tenant figure at 500 tenants within this factor of the 10-tenant one. */
    static final double FLAT_FACTOR = 1.25;

    static String table(List<Row> rows, Duration idle) {
        StringBuilder sb = new StringBuilder();
        sb.append("| tenants (streams) | threads | heap after GC per tenant | CPU per tenant per hour, caught up | "
                + "listings per tenant per hour | offset bytes per stream | validate() | start to all caught up |"
                + " records |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append(String.format(
                    Locale.ROOT,
                    "| %d (%d) | %d | %.1f KiB | %.0f ms | %.0f | %.0f | %.1f s | %.1f s | %d |%n",
                    r.tenants(),
                    r.tenants() * 5,
                    r.threads(),
                    r.heapKibPerTenant(),
                    r.cpuMsPerTenantHour(),
                    r.listingsPerTenantHour(),
                    r.offsetBytesPerStream(),
                    r.validateSeconds(),
                    r.caughtUpSeconds(),
                    r.records()));
        }
        if (rows.size() > 1) {
            Row a = rows.get(0);
            Row z = rows.get(rows.size() - 1);
            sb.append(String.format(
                    Locale.ROOT,
                    "| growth %d → %d | ×%.2f (total) | ×%.2f | ×%.2f | ×%.2f | ×%.2f | ×%.2f | ×%.2f | |%n",
                    a.tenants(),
                    z.tenants(),
                    z.threads() / (double) a.threads(),
                    z.heapKibPerTenant() / a.heapKibPerTenant(),
                    z.cpuMsPerTenantHour() / a.cpuMsPerTenantHour(),
                    z.listingsPerTenantHour() / a.listingsPerTenantHour(),
                    z.offsetBytesPerStream() / a.offsetBytesPerStream(),
                    z.validateSeconds() / a.validateSeconds(),
                    z.caughtUpSeconds() / a.caughtUpSeconds()));
        }
        if (rows.size() > 1) {
            // the acceptance: threads and heap per tenant at the largest size within 1.25x of the smallest
            Row a = rows.get(0);
            Row z = rows.get(rows.size() - 1);
            double threads = (z.threads() / (double) z.tenants()) / (a.threads() / (double) a.tenants());
            double heap = z.heapKibPerTenant() / a.heapKibPerTenant();
            sb.append(String.format(
                    Locale.ROOT,
                    "%nFlat per tenant (%d-tenant figure within %.2fx of the %d-tenant one): threads per tenant"
                            + " x%.3f (%s), heap per tenant x%.2f (%s).%n",
                    z.tenants(),
                    FLAT_FACTOR,
                    a.tenants(),
                    threads,
                    threads <= FLAT_FACTOR ? "yes" : "NO",
                    heap,
                    heap <= FLAT_FACTOR ? "yes" : "NO"));
        }
        sb.append("\nCaught-up window measured: ")
                .append(idle.toSeconds())
                .append(" s per size; o365.poll.idle.max.ms = ")
                .append(Long.getLong("bench.tenants.idle.max.ms", 0L))
                .append(" (bench.tenants.idle.max.ms).\n");
        return sb.toString();
    }
}
