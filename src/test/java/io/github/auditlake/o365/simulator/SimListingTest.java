package io.github.auditlake.o365.simulator;

import static io.github.auditlake.o365.simulator.SimTestSupport.CLIENT;
import static io.github.auditlake.o365.simulator.SimTestSupport.PUBLISHER;
import static io.github.auditlake.o365.simulator.SimTestSupport.SECRET;
import static io.github.auditlake.o365.simulator.SimTestSupport.T0;
import static io.github.auditlake.o365.simulator.SimTestSupport.TENANT;
import static io.github.auditlake.o365.simulator.SimTestSupport.assertApiError;
import static io.github.auditlake.o365.simulator.SimTestSupport.feed;
import static io.github.auditlake.o365.simulator.SimTestSupport.get;
import static io.github.auditlake.o365.simulator.SimTestSupport.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.auditlake.o365.api.ContentType;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Listing rules of reference 3.2 and paging of 3.4. */
class SimListingTest {

    SimClock clock;
    ManagementApiSimulator sim;
    String token;

    @BeforeEach
    void setUp() {
        clock = SimClock.fixed(T0);
        sim = ManagementApiSimulator.builder()
                .clock(clock)
                .pageSize(7)
                .tenant(TenantSpec.of(TENANT)
                        .app(AppSpec.of(CLIENT).secret(SECRET))
                        .subscribedAll(true)
                        .volumeAll(Volume.of(5, 2))
                        .backfill(Duration.ofDays(8)))
                .build()
                .start();
        token = SimTestSupport.token(sim);
    }

    @AfterEach
    void tearDown() {
        sim.close();
    }

    private HttpResponse<String> list(String query) {
        return get(feed(sim) + "/subscriptions/content?" + query, token);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2024-03-01",
                "2024-03-01T02:00",
                "2024-03-01T02:00:00",
                "2024-03-01T02:00:00Z",
                "2024-03-01T02:00:00.123Z",
                "2024-03-01T02:00:00.1234567Z",
                "2024-03-01T02:00:00.123456789Z",
                "2024-03-01T02:00:00.619091%2B00:00",
                "2024-03-01T03:00:00%2B01:00"
            })
    void acceptedTimeFormats(String start) {
        HttpResponse<String> r = list("contentType=Audit.General&startTime=" + start + "&endTime=2024-03-01T12:00:00");
        assertEquals(200, r.statusCode(), r.body());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2024-03-01T02:00:00+00:00",
                "2024/03/01",
                "2024-03-01T2:00",
                "01-03-2024",
                "2024-03-01T02:00:00.1234567890Z",
                "yesterday",
                "2024-13-01"
            })
    void rejectedTimeFormats(String start) {
        HttpResponse<String> r = list("contentType=Audit.General&startTime=" + start + "&endTime=2024-03-01T12:00:00");
        assertApiError(r, 400, "AF20055");
        assertTrue(json(r).at("/error/message").asText().endsWith(", EndTime:2024-03-01T12:00:00"), r.body());
    }

    @Test
    void windowBounds() {
        // both or neither
        HttpResponse<String> one = list("contentType=Audit.General&startTime=2024-03-01T00:00:00");
        assertApiError(one, 400, "AF20055");
        assertTrue(json(one).at("/error/message").asText().contains("StartTime:2024-03-01T00:00:00, EndTime:"));
        assertApiError(list("contentType=Audit.General&endTime=2024-03-01T00:00:00"), 400, "AF20055");
        // at most 24 h
        assertEquals(
                200,
                list("contentType=Audit.General&startTime=2024-02-29T12:00:00&endTime=2024-03-01T12:00:00")
                        .statusCode());
        assertApiError(
                list("contentType=Audit.General&startTime=2024-02-29T11:59:59&endTime=2024-03-01T12:00:00"),
                400,
                "AF20055");
        // start before end
        assertApiError(
                list("contentType=Audit.General&startTime=2024-03-01T10:00:00&endTime=2024-03-01T10:00:00"),
                400,
                "AF20055");
        assertApiError(
                list("contentType=Audit.General&startTime=2024-03-01T10:00:00&endTime=2024-03-01T09:00:00"),
                400,
                "AF20055");
        // 7 days back, plus a 1 hour tolerance
        assertEquals(
                200,
                list("contentType=Audit.General&startTime=2024-02-23T11:00:00&endTime=2024-02-24T11:00:00")
                        .statusCode());
        assertApiError(
                list("contentType=Audit.General&startTime=2024-02-23T10:59:59&endTime=2024-02-24T10:59:59"),
                400,
                "AF20055");
        // the future is fine
        assertEquals(
                200,
                list("contentType=Audit.General&startTime=2024-03-02T10:00:00&endTime=2024-03-03T10:00:00")
                        .statusCode());
    }

    @Test
    void inclusiveStartExclusiveEnd() {
        Instant at = Instant.parse("2024-03-01T05:00:00Z");
        SimBlob b = sim.addBlob(TENANT, ContentType.EXCHANGE, at, at, SimTestSupport.records(1));
        String atStart = list("contentType=Audit.Exchange&startTime=2024-03-01T05:00:00&endTime=2024-03-01T06:00:00")
                .body();
        assertTrue(atStart.contains(b.contentId()));
        String atEnd = list("contentType=Audit.Exchange&startTime=2024-03-01T04:00:00&endTime=2024-03-01T05:00:00")
                .body();
        assertFalse(atEnd.contains(b.contentId()));
        String justAfter = list("contentType=Audit.Exchange&startTime=2024-03-01T04:00:00"
                        + "&endTime=2024-03-01T05:00:00.001Z")
                .body();
        assertTrue(justAfter.contains(b.contentId()));
    }

    @Test
    void parameterNamesAreCaseInsensitiveAndItemsWellFormed() {
        HttpResponse<String> r = list("contenttype=Audit.AzureActiveDirectory&STARTTIME=2024-03-01T00:00:00"
                + "&endtime=2024-03-01T01:00:00&publisheridentifier=" + PUBLISHER);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode items = json(r);
        assertEquals(5, items.size());
        Pattern idShape = Pattern.compile(
                "\\d{23}\\$\\d{23}\\$audit_azureactivedirectory\\$Audit_AzureActiveDirectory" + "\\$na\\d{4}");
        Pattern time = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
        for (JsonNode i : items) {
            assertEquals("Audit.AzureActiveDirectory", i.get("contentType").asText());
            assertTrue(idShape.matcher(i.get("contentId").asText()).matches(), i.toString());
            assertEquals(
                    sim.baseUrl() + "/api/v1.0/" + TENANT + "/activity/feed/audit/"
                            + i.get("contentId").asText(),
                    i.get("contentUri").asText());
            assertTrue(time.matcher(i.get("contentCreated").asText()).matches());
            assertEquals(
                    Instant.parse(i.get("contentCreated").asText()).plus(Duration.ofDays(7)),
                    Instant.parse(i.get("contentExpiration").asText()));
        }
        assertEquals(
                PUBLISHER,
                sim.requests()
                        .get(sim.requests().size() - 1)
                        .query("PublisherIdentifier")
                        .orElseThrow());
    }

    private List<JsonNode> followAll(String firstUrl, List<String> nextUris) {
        List<JsonNode> all = new ArrayList<>();
        HttpResponse<String> r = get(firstUrl, token);
        while (true) {
            assertEquals(200, r.statusCode(), r.body());
            json(r).forEach(all::add);
            var next = r.headers().firstValue("NextPageUri");
            if (next.isEmpty()) {
                return all;
            }
            nextUris.add(next.get());
            r = get(next.get() + "&PublisherIdentifier=" + PUBLISHER, token);
        }
    }

    @Test
    void pagingQuirksAndCompleteness() {
        List<String> nexts = new ArrayList<>();
        List<JsonNode> all = followAll(
                feed(sim) + "/subscriptions/content?contentType=Audit.General&startTime="
                        + "2024-03-01T00:00:00Z&endTime=2024-03-01T10:00:00Z&PublisherIdentifier=" + PUBLISHER,
                nexts);
        assertEquals(50, all.size());
        assertEquals(7, nexts.size(), "50 items in pages of 7");
        Pattern shape =
                Pattern.compile(Pattern.quote(feed(sim)) + "/subscriptions/content\\?contenttype=Audit\\.General"
                        + "&endtime=2024-03-01T10:00:00\\.0000000Z&starttime=2024-03-01T00:00:00\\.0000000Z"
                        + "&nextpage=\\d{23}\\$\\d{23}\\$na\\d{4}");
        for (String n : nexts) {
            assertTrue(shape.matcher(n).matches(), n);
            assertFalse(n.toLowerCase().contains("publisheridentifier"));
            assertFalse(n.contains("%24"));
        }
        Set<String> ids = new HashSet<>();
        for (JsonNode i : all) {
            assertTrue(ids.add(i.get("contentId").asText()), "listed twice: " + i);
        }
        Set<String> expected = new HashSet<>();
        sim.visibleBlobs(
                        TENANT,
                        ContentType.GENERAL,
                        Instant.parse("2024-03-01T00:00:00Z"),
                        Instant.parse("2024-03-01T10:00:00Z"))
                .forEach(b -> expected.add(b.contentId()));
        assertEquals(expected, ids);
    }

    @Test
    void omittedWindowIsTheLast24HoursAndPagesCarryIt() {
        List<String> nexts = new ArrayList<>();
        List<JsonNode> all = followAll(feed(sim) + "/subscriptions/content?contentType=Audit.Exchange", nexts);
        assertEquals(
                sim.visibleBlobs(TENANT, ContentType.EXCHANGE, T0.minus(Duration.ofHours(24)), T0)
                        .size(),
                all.size());
        assertEquals(120, all.size());
        assertTrue(
                nexts.get(0).contains("&endtime=2024-03-01T12:00:00.0000000Z&starttime=2024-02-29T12:00:00.0000000Z"),
                nexts.get(0));
    }

    @Test
    void badNextPageToken() {
        String base = "contentType=Audit.General&startTime=2024-03-01T00:00:00&endTime=2024-03-01T10:00:00";
        HttpResponse<String> bad = list(base + "&nextPage=garbage");
        assertApiError(bad, 400, "AF20031");
        assertEquals(
                "Invalid nextPage Input: garbage.",
                json(bad).at("/error/message").asText());
        assertApiError(list(base + "&nextpage=20200220001806300068349$20200219104642000000000$na0022"), 400, "AF20031");
    }

    @Test
    void shuffledPagesStillCoverEverything() {
        try (ManagementApiSimulator shuffled = ManagementApiSimulator.builder()
                .clock(clock)
                .pageSize(4)
                .shufflePages(true)
                .tenant(TenantSpec.of(TENANT)
                        .app(AppSpec.of(CLIENT).secret(SECRET))
                        .subscribedAll(true)
                        .volumeAll(Volume.of(5, 2)))
                .build()
                .start()) {
            token = SimTestSupport.token(shuffled);
            List<JsonNode> all = followAll(
                    shuffled.apiRoot(TENANT) + "/subscriptions/content?contentType=DLP.All"
                            + "&startTime=2024-03-01T00:00&endTime=2024-03-01T04:00",
                    new ArrayList<>());
            Set<String> ids = new HashSet<>();
            all.forEach(i -> ids.add(i.get("contentId").asText()));
            assertEquals(20, all.size());
            assertEquals(20, ids.size());
        }
    }

    @Test
    void lateBlobAppearsInAnAlreadyListedWindow() {
        Instant created = Instant.parse("2024-03-01T11:30:00Z");
        SimBlob late = sim.addBlob(
                TENANT, ContentType.SHAREPOINT, created, created.plus(Duration.ofHours(3)), SimTestSupport.records(2));
        String q = "contentType=Audit.SharePoint&startTime=2024-03-01T11:00:00&endTime=2024-03-01T12:00:00";
        assertFalse(list(q).body().contains(late.contentId()));
        clock.advance(Duration.ofHours(3));
        String token2 = SimTestSupport.token(sim);
        assertTrue(get(feed(sim) + "/subscriptions/content?" + q, token2).body().contains(late.contentId()));
    }

    @Test
    void scheduledLateBlobsFollowTheClock() {
        try (ManagementApiSimulator lateSim = ManagementApiSimulator.builder()
                .clock(clock)
                .tenant(TenantSpec.of(TENANT)
                        .app(AppSpec.of(CLIENT).secret(SECRET))
                        .subscribedAll(true)
                        .volumeAll(Volume.of(20, 1))
                        .lateBlobs(0.5, Duration.ofHours(10)))
                .build()
                .start()) {
            Instant from = T0.minus(Duration.ofHours(6));
            int visibleNow =
                    lateSim.visibleBlobs(TENANT, ContentType.GENERAL, from, T0).size();
            int all = lateSim.blobs(TENANT, ContentType.GENERAL, from, T0).size();
            assertEquals(120, all);
            assertTrue(visibleNow < all, "some blobs are late");
            clock.advance(Duration.ofHours(11));
            assertEquals(
                    all,
                    lateSim.visibleBlobs(TENANT, ContentType.GENERAL, from, T0).size());
        }
    }
}
