package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.simulator.RecordedRequest;
import io.github.auditlake.o365.simulator.SimBlob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code content list} and {@code content get} against the simulator. */
class ContentCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final CliHarness cli = new CliHarness(CliHarness.tenant(3));

    @AfterEach
    void stop() {
        cli.close();
    }

    @Test
    void listSplitsLongRangesIntoDayWindowsAndPrintsEveryBlobInFull() {
        Instant from = CliHarness.NOW.minus(Duration.ofDays(3));
        CliHarness.Run r =
                cli.run("content", "list", "--content-type", "Audit.SharePoint", "--start", "-3d", "--end", "now");
        assertEquals(0, r.code(), r.toString());
        List<String> lines = r.lines();
        assertEquals("contentType\tcontentId\tcontentCreated\tcontentExpiration\tcontentUri", lines.get(0));
        List<SimBlob> expected = cli.sim.visibleBlobs(CliHarness.TENANT, ContentType.SHAREPOINT, from, CliHarness.NOW);
        assertEquals(expected.size(), lines.size() - 1, r.toString());
        Set<String> printedIds = new TreeSet<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split("\t", -1);
            assertEquals(5, cells.length, line);
            printedIds.add(cells[1]);
            assertTrue(cells[4].endsWith("/activity/feed/audit/" + cells[1]), "full contentUri: " + line);
            assertTrue(Instant.parse(cells[3]).isAfter(Instant.parse(cells[2])), line);
        }
        assertEquals(
                expected.stream().map(SimBlob::contentId).collect(Collectors.toCollection(TreeSet::new)), printedIds);

        List<RecordedRequest> listings = cli.sim.requests().stream()
                .filter(q -> q.path().endsWith("/subscriptions/content")
                        && q.query("nextpage").isEmpty())
                .toList();
        assertEquals(3, listings.size(), "one listing per 24 h window");
        assertTrue(cli.sim.requests().stream().anyMatch(q -> q.query("nextpage").isPresent()), "pages followed");
    }

    @Test
    void listAsJsonCoversSeveralContentTypes() throws Exception {
        CliHarness.Run r = cli.run("content", "list", "--content-type", "exchange,general", "--start", "-6h", "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode arr = JSON.readTree(r.out());
        Instant from = CliHarness.NOW.minus(Duration.ofHours(6));
        int expected = cli.sim
                        .visibleBlobs(CliHarness.TENANT, ContentType.EXCHANGE, from, CliHarness.NOW)
                        .size()
                + cli.sim
                        .visibleBlobs(CliHarness.TENANT, ContentType.GENERAL, from, CliHarness.NOW)
                        .size();
        assertEquals(expected, arr.size());
        Set<String> types = new TreeSet<>();
        arr.forEach(n -> {
            types.add(n.get("contentType").asText());
            assertTrue(
                    n.hasNonNull("contentId")
                            && n.hasNonNull("contentUri")
                            && n.hasNonNull("contentCreated")
                            && n.hasNonNull("contentExpiration"),
                    n.toString());
        });
        assertEquals(Set.of("Audit.Exchange", "Audit.General"), types);
    }

    @Test
    void getByUriAndByIdPrintsTheOriginalRecordsOnePerLine() throws Exception {
        SimBlob blob = visibleBlob(0);
        String uri = cli.sim.apiRoot(CliHarness.TENANT) + "/audit/" + blob.contentId();
        CliHarness.Run byUri = cli.run("content", "get", uri);
        assertEquals(0, byUri.code(), byUri.toString());
        List<String> ids = new ArrayList<>();
        for (String line : byUri.lines()) {
            JsonNode n = JSON.readTree(line);
            assertTrue(n.isObject(), line);
            ids.add(n.get("Id").asText());
        }
        assertEquals(blob.recordIds(), ids);

        CliHarness.Run byId = cli.run("content", "get", blob.contentId());
        assertEquals(0, byId.code(), byId.toString());
        assertEquals(byUri.out(), byId.out(), "same bytes either way");
    }

    @Test
    void getRetriesATruncatedBodyAndPrintsTheBlobOnce() throws Exception {
        SimBlob blob = visibleBlob(1);
        cli.sim
                .faults()
                .failNext(
                        2, ".*/activity/feed/audit/.*", io.github.auditlake.o365.simulator.Faults.Kind.TRUNCATED_BODY);
        CliHarness.Run r = cli.run("content", "get", blob.contentId());
        assertEquals(0, r.code(), r.toString());
        assertEquals(blob.recordIds().size(), r.lines().size(), r.toString());
    }

    @Test
    void getGivesUpOnABlobThatKeepsFailingOnceItsRetryBudgetIsSpent() {
        SimBlob blob = visibleBlob(0);
        cli.sim
                .faults()
                .failNext(
                        100_000, ".*/activity/feed/audit/.*", io.github.auditlake.o365.simulator.Faults.Kind.HTTP_503);
        CliHarness.Run r = cli.run("content", "get", blob.contentId());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("could not be fetched within 15 minutes of retries"), r.toString());
        assertEquals("", r.out());
    }

    @Test
    void getOfAnUnknownBlobFailsInOneLine() {
        CliHarness.Run r = cli.run("content", "get", "20261128000000000000000$nope$audit_exchange$Audit_Exchange");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().startsWith("o365-audit: blob "), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.toString());
        assertEquals("", r.out());
    }

    /** The {@code i}th Exchange blob the simulator shows for the last six hours. */
    private SimBlob visibleBlob(int i) {
        return cli.sim
                .visibleBlobs(
                        CliHarness.TENANT,
                        ContentType.EXCHANGE,
                        CliHarness.NOW.minus(Duration.ofHours(6)),
                        CliHarness.NOW)
                .get(i);
    }
}
