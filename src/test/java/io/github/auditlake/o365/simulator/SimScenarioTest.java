package io.github.auditlake.o365.simulator;

import static io.github.auditlake.o365.simulator.SimTestSupport.CLIENT;
import static io.github.auditlake.o365.simulator.SimTestSupport.PUBLISHER;
import static io.github.auditlake.o365.simulator.SimTestSupport.SECRET;
import static io.github.auditlake.o365.simulator.SimTestSupport.T0;
import static io.github.auditlake.o365.simulator.SimTestSupport.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.auditlake.o365.api.ContentType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * How a test proves a client lost nothing: late blobs, duplicate records, shuffled pages and injected faults, a
 * naive but careful polling loop (retries, overlap re-polls), and the simulator's expected/served Id sets.
 */
class SimScenarioTest {

    private static final DateTimeFormatter F =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    SimClock clock = SimClock.fixed(T0);

    @Test
    void aCarefulPollerGetsEveryRecordDespiteFaultsAndLateBlobs() {
        try (ManagementApiSimulator sim = ManagementApiSimulator.builder()
                .clock(clock)
                .seed(99)
                .pageSize(5)
                .shufflePages(true)
                .tenant(TenantSpec.of(TENANT)
                        .app(AppSpec.of(CLIENT).secret(SECRET))
                        .subscribedAll(true)
                        .volumeAll(Volume.of(6, 4))
                        .lateBlobs(0.3, Duration.ofHours(3))
                        .duplicates(0.3))
                .build()
                .start()) {
            sim.faults()
                    .rate(Faults.Kind.HTTP_500, 0.1)
                    .rate(Faults.Kind.RESET_MID_BODY, 0.05)
                    .rate(Faults.Kind.TRUNCATED_BODY, 0.05)
                    .rate(Faults.Kind.HTTP_503, 0.05);
            Instant from = T0.minus(Duration.ofHours(6));
            Set<String> got = new HashSet<>();
            poll(sim, from, T0, got);
            Set<String> expectedNow = sim.expectedRecordIds(TENANT, ContentType.EXCHANGE, from, T0);
            assertTrue(got.containsAll(expectedNow));
            int allBlobs = sim.blobs(TENANT, ContentType.EXCHANGE, from, T0).size();
            assertTrue(sim.visibleBlobs(TENANT, ContentType.EXCHANGE, from, T0).size() < allBlobs, "late blobs exist");

            clock.advance(Duration.ofHours(4)); // late blobs surface inside windows already polled
            poll(sim, from, T0, got); // overlap re-poll
            Set<String> expected = sim.expectedRecordIds(TENANT, ContentType.EXCHANGE, from, T0);
            assertEquals(
                    allBlobs,
                    sim.visibleBlobs(TENANT, ContentType.EXCHANGE, from, T0).size());
            assertTrue(expected.size() > expectedNow.size());
            assertEquals(expected, got);
            assertEquals(expected, sim.servedRecordIds(TENANT, ContentType.EXCHANGE));
            assertTrue(sim.requests().stream().anyMatch(r -> r.status() == 500), "faults were injected");
            assertTrue(
                    sim.requests().stream()
                            .filter(RecordedRequest::isApi)
                            .allMatch(r -> r.query("PublisherIdentifier").isPresent()),
                    "PublisherIdentifier on every call");
        }
    }

    private void poll(ManagementApiSimulator sim, Instant from, Instant to, Set<String> got) {
        String token = SimTestSupport.token(sim);
        for (Instant s = from; s.isBefore(to); s = s.plus(Duration.ofHours(1))) {
            String url = sim.apiRoot(TENANT) + "/subscriptions/content?contentType=Audit.Exchange&startTime="
                    + F.format(s) + "&endTime=" + F.format(s.plus(Duration.ofHours(1))) + "&PublisherIdentifier="
                    + PUBLISHER;
            while (url != null) {
                HttpResponse<String> page = retry(url, token);
                for (JsonNode item : SimTestSupport.json(page)) {
                    JsonNode records =
                            parse(retry(item.get("contentUri").asText() + "?PublisherIdentifier=" + PUBLISHER, token)
                                    .body());
                    records.forEach(r -> got.add(r.get("Id").asText()));
                }
                url = page.headers()
                        .firstValue("NextPageUri")
                        .map(u -> u + "&PublisherIdentifier=" + PUBLISHER)
                        .orElse(null);
            }
        }
    }

    /** GET until a complete, parseable 200 answer arrives (bounded). */
    private static HttpResponse<String> retry(String url, String token) {
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                HttpResponse<String> r = SimTestSupport.get(url, token);
                if (r.statusCode() == 200 && parse(r.body()) != null) {
                    return r;
                }
            } catch (UncheckedIOException e) {
                // connection reset mid-body: retry
            }
        }
        throw new AssertionError("no success after 50 attempts: " + url);
    }

    private static JsonNode parse(String body) {
        try {
            return Jwts.JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }
}
