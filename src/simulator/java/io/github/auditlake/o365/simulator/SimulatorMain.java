package io.github.auditlake.o365.simulator;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the simulator as a standalone process (see {@code bin/simulator} and {@code docs/simulator.md}).
 *
 * <pre>
 * bin/simulator --port 8365 --blobs-per-hour 12 --records-per-blob 100 --backfill-days 3
 * </pre>
 *
 * Prints the base URL and the credentials, then serves until killed.
 */
public final class SimulatorMain {

    static final String DEFAULT_TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
    static final String DEFAULT_CLIENT = "6f1c2a4e-0b3d-4c5e-9a7f-1e2d3c4b5a69";
    static final String DEFAULT_SECRET = "sim-secret-change-me";

    private static final String USAGE = String.join(
            "\n",
            "Usage: SimulatorMain [--flag value]...",
            "  --port N                 listen port (default 8365; 0 = ephemeral)",
            "  --bind ADDR              bind address (default 127.0.0.1)",
            "  --tenant-id GUID         tenant (default " + DEFAULT_TENANT + ")",
            "  --client-id GUID         app client id (default " + DEFAULT_CLIENT + ")",
            "  --client-secret S        app secret (default " + DEFAULT_SECRET + ")",
            "  --not-subscribed         start with no subscriptions (default: all five content types subscribed)",
            "  --audit-disabled         tenant with unified audit logging off",
            "  --blobs-per-hour N       per content type (default 4)",
            "  --records-per-blob N     (default 50)",
            "  --record-bytes N         approximate record size, 0 = natural (default 0)",
            "  --backfill-days D        content history before start (default 2; may be fractional)",
            "  --late-fraction F        fraction of blobs that become visible late (default 0)",
            "  --late-lag-hours H       lag of late blobs (default 6)",
            "  --duplicate-fraction F   fraction of blobs repeating records of the previous blob (default 0)",
            "  --page-size N            listing page size (default 600)",
            "  --shuffle                shuffle items within listing pages",
            "  --token-lifetime-s N     access token lifetime (default 3599)",
            "  --latency-ms A[-B]       fixed or uniform latency per request",
            "  --fault-500 P            probability of AF50000 (HTTP 500); also --fault-503, --fault-408,",
            "                           --fault-throttle, --fault-reset, --fault-truncate",
            "  --throttle-rpm N         requests/minute per (tenant, publisher); 0 = off (default)",
            "  --throttle-429           answer throttling with 429 + Retry-After instead of 403",
            "  --notify-every-s N       webhook notification delivery period (default 60)",
            "  --seed N                 content seed (default 42)",
            "  --audit-search-limit N   Graph audit search: records per query (default 1000000)",
            "  --audit-search-run-s N   Graph audit search: seconds a query runs, plus 30 s per day of range",
            "                           (default 60; queued 20 s before)");

    private SimulatorMain() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = parse(args);
        if (o.containsKey("help")) {
            System.out.println(USAGE);
            return;
        }
        String tenant = o.getOrDefault("tenant-id", DEFAULT_TENANT);
        String client = o.getOrDefault("client-id", DEFAULT_CLIENT);
        String secret = o.getOrDefault("client-secret", DEFAULT_SECRET);
        ManagementApiSimulator sim = create(o);
        sim.start();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sim.close();
            done.countDown();
        }));
        System.out.println("Office 365 Management Activity API simulator");
        System.out.println("  base URL (API and login): " + sim.baseUrl());
        System.out.println("  tenant id:      " + tenant);
        System.out.println("  client id:      " + client);
        System.out.println("  client secret:  " + secret + "   (simulator-only credential)");
        System.out.println(
                "  token endpoint: " + sim.tokenEndpointV2(tenant) + "  (v1: " + sim.tokenEndpointV1(tenant) + ")");
        System.out.println("  API root:       " + sim.apiRoot(tenant));
        System.out.println("  audit search:   " + sim.baseUrl() + "/v1.0/security/auditLog/queries  (Graph token:"
                + " scope https://graph.microsoft.com/.default)");
        System.out.println("  subscriptions:  "
                + (!o.containsKey("not-subscribed")
                        ? "all five content types enabled"
                        : "none (call /subscriptions/start)"));
        System.out.flush();
        done.await();
    }

    /** Builds (does not start) a simulator from parsed flags. */
    static ManagementApiSimulator create(Map<String, String> o) {
        String tenant = o.getOrDefault("tenant-id", DEFAULT_TENANT);
        String client = o.getOrDefault("client-id", DEFAULT_CLIENT);
        String secret = o.getOrDefault("client-secret", DEFAULT_SECRET);
        Volume v = new Volume(
                Integer.parseInt(o.getOrDefault("blobs-per-hour", "4")),
                Integer.parseInt(o.getOrDefault("records-per-blob", "50")),
                Integer.parseInt(o.getOrDefault("record-bytes", "0")));
        TenantSpec spec = TenantSpec.of(tenant)
                .app(AppSpec.of(client).secret(secret))
                .subscribedAll(!o.containsKey("not-subscribed"))
                .auditEnabled(!o.containsKey("audit-disabled"))
                .volumeAll(v)
                .backfill(Duration.ofMinutes((long) (Double.parseDouble(o.getOrDefault("backfill-days", "2")) * 1440)))
                .lateBlobs(Double.parseDouble(o.getOrDefault("late-fraction", "0")), Duration.ofMinutes((long)
                        (Double.parseDouble(o.getOrDefault("late-lag-hours", "6")) * 60)))
                .duplicates(Double.parseDouble(o.getOrDefault("duplicate-fraction", "0")));
        ManagementApiSimulator sim = ManagementApiSimulator.builder()
                .seed(Long.parseLong(o.getOrDefault("seed", "42")))
                .pageSize(Integer.parseInt(o.getOrDefault("page-size", "600")))
                .shufflePages(o.containsKey("shuffle"))
                .tokenLifetime(Duration.ofSeconds(Long.parseLong(o.getOrDefault("token-lifetime-s", "3599"))))
                .bind(o.getOrDefault("bind", "127.0.0.1"), Integer.parseInt(o.getOrDefault("port", "8365")))
                .tenant(spec)
                .autoNotify(false, Duration.ofSeconds(Long.parseLong(o.getOrDefault("notify-every-s", "60"))))
                .build();
        Faults f = sim.faults();
        if (o.containsKey("latency-ms")) {
            String[] lat = o.get("latency-ms").split("-");
            long a = Long.parseLong(lat[0]);
            long b = lat.length > 1 ? Long.parseLong(lat[1]) : a;
            f.latency(Duration.ofMillis(a), Duration.ofMillis(b));
        }
        rate(o, f, "fault-500", Faults.Kind.HTTP_500);
        rate(o, f, "fault-503", Faults.Kind.HTTP_503);
        rate(o, f, "fault-408", Faults.Kind.HTTP_408);
        rate(o, f, "fault-throttle", Faults.Kind.THROTTLE);
        rate(o, f, "fault-reset", Faults.Kind.RESET_MID_BODY);
        rate(o, f, "fault-truncate", Faults.Kind.TRUNCATED_BODY);
        f.throttle(Integer.parseInt(o.getOrDefault("throttle-rpm", "0")));
        if (o.containsKey("throttle-429")) {
            f.throttleAs429(true, Duration.ofSeconds(30));
        }
        sim.auditSearch()
                .recordLimit(Integer.parseInt(o.getOrDefault("audit-search-limit", "1000000")))
                .runTime(
                        Duration.ofSeconds(Long.parseLong(o.getOrDefault("audit-search-run-s", "60"))),
                        Duration.ofSeconds(30));
        return sim;
    }

    private static void rate(Map<String, String> o, Faults f, String flag, Faults.Kind kind) {
        if (o.containsKey(flag)) {
            f.rate(kind, Double.parseDouble(o.get(flag)));
        }
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + a + "\n" + USAGE);
            }
            String name = a.substring(2);
            int eq = name.indexOf('=');
            if (eq >= 0) {
                o.put(name.substring(0, eq), name.substring(eq + 1));
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                o.put(name, args[++i]);
            } else {
                o.put(name, "true");
            }
        }
        return o;
    }
}
