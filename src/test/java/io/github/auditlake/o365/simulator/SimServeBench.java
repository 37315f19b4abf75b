package io.github.auditlake.o365.simulator;

import io.github.auditlake.o365.api.ContentType;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Measures the simulator's blob-serving rate on loopback (a harness, not a test):
 * {@code java -cp target/test-classes:target/classes:$(cat target/test-classpath.txt)
 * io.github.auditlake.o365.simulator.SimServeBench [recordsPerBlob] [recordBytes] [rounds]}.
 */
public final class SimServeBench {

    private SimServeBench() {}

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
        int bytes = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        String tenant = SimulatorMain.DEFAULT_TENANT;
        String client = SimulatorMain.DEFAULT_CLIENT;
        SimClock clock = SimClock.fixed(Instant.parse("2024-03-01T12:00:00Z"));
        try (ManagementApiSimulator sim = ManagementApiSimulator.builder()
                .clock(clock)
                .tenant(TenantSpec.of(tenant)
                        .app(AppSpec.of(client).secret("x"))
                        .subscribedAll(true)
                        .volumeAll(Volume.NONE)
                        .volume(ContentType.EXCHANGE, new Volume(1, records, bytes)))
                .build()
                .start()) {
            HttpClient http = HttpClient.newHttpClient();
            String token = Jwts.JSON
                    .readTree(http.send(
                                    HttpRequest.newBuilder(URI.create(sim.tokenEndpointV2(tenant)))
                                            .header("Content-Type", "application/x-www-form-urlencoded")
                                            .POST(
                                                    HttpRequest.BodyPublishers.ofString(
                                                            "grant_type=client_credentials&client_id=" + client
                                                                    + "&client_secret=x&scope=https%3A%2F%2Fmanage.office.com%2F.default"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body())
                    .get("access_token")
                    .asText();
            List<SimBlob> blobs = sim.visibleBlobs(
                    tenant, ContentType.EXCHANGE, clock.instant().minus(Duration.ofHours(6)), clock.instant());
            String uri = sim.apiRoot(tenant) + "/audit/" + blobs.get(0).contentId();
            byte[] buf = new byte[1 << 16];
            for (int round = 0; round < rounds; round++) {
                long t0 = System.nanoTime();
                HttpResponse<InputStream> r = http.send(
                        HttpRequest.newBuilder(URI.create(uri))
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                long total = 0;
                try (InputStream in = r.body()) {
                    for (int n; (n = in.read(buf)) > 0; ) {
                        total += n;
                    }
                }
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf(
                        "round %d: status %d, %,d bytes (%,d records) in %.2f s = %.0f MB/s%n",
                        round, r.statusCode(), total, records, s, total / 1e6 / s);
            }
        }
        smallRequests(Integer.getInteger("bench.small.requests", 20_000), Integer.getInteger("bench.small.threads", 8));
    }

    /** Request rate for small blobs (10 records of ~1 KB) fetched by several threads. */
    static void smallRequests(int requests, int threads) throws Exception {
        String tenant = SimulatorMain.DEFAULT_TENANT;
        String client = SimulatorMain.DEFAULT_CLIENT;
        SimClock clock = SimClock.fixed(Instant.parse("2024-03-01T12:00:00Z"));
        try (ManagementApiSimulator sim = ManagementApiSimulator.builder()
                .clock(clock)
                .tenant(TenantSpec.of(tenant)
                        .app(AppSpec.of(client).secret("x"))
                        .subscribedAll(true)
                        .volumeAll(Volume.NONE)
                        .volume(ContentType.GENERAL, new Volume(200, 10, 1000)))
                .build()
                .start()) {
            HttpClient http = HttpClient.newHttpClient();
            String token = Jwts.JSON
                    .readTree(http.send(
                                    HttpRequest.newBuilder(URI.create(sim.tokenEndpointV2(tenant)))
                                            .header("Content-Type", "application/x-www-form-urlencoded")
                                            .POST(
                                                    HttpRequest.BodyPublishers.ofString(
                                                            "grant_type=client_credentials&client_id=" + client
                                                                    + "&client_secret=x&scope=https%3A%2F%2Fmanage.office.com%2F.default"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body())
                    .get("access_token")
                    .asText();
            List<SimBlob> blobs = sim.visibleBlobs(
                    tenant, ContentType.GENERAL, clock.instant().minus(Duration.ofHours(6)), clock.instant());
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();
            for (int round = 0; round < 3; round++) {
                long t0 = System.nanoTime();
                List<java.util.concurrent.Future<?>> fs = new java.util.ArrayList<>();
                for (int i = 0; i < requests; i++) {
                    String uri = sim.apiRoot(tenant) + "/audit/"
                            + blobs.get(i % blobs.size()).contentId();
                    fs.add(pool.submit(() -> {
                        bytes.addAndGet(http.send(
                                        HttpRequest.newBuilder(URI.create(uri))
                                                .header("Authorization", "Bearer " + token)
                                                .build(),
                                        HttpResponse.BodyHandlers.ofByteArray())
                                .body()
                                .length);
                        return null;
                    }));
                }
                for (java.util.concurrent.Future<?> f : fs) {
                    f.get();
                }
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf(
                        "small blobs, %d threads: %,d requests in %.2f s = %,.0f requests/s%n",
                        threads, requests, s, requests / s);
            }
            pool.shutdownNow();
        }
    }
}
