package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ContentPage;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.simulator.Faults;
import io.github.auditlake.o365.simulator.RecordedRequest;
import io.github.auditlake.o365.simulator.SimBlob;
import io.github.auditlake.o365.testkit.FakeManagementApi;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code export}: every record of a range exactly once, through faults, in every format. */
class ExportCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private CliHarness cli;

    @AfterEach
    void stop() {
        if (cli != null) {
            cli.close();
        }
    }

    private static List<String> ids(List<String> jsonLines) throws Exception {
        List<String> ids = new ArrayList<>();
        for (String line : jsonLines) {
            JsonNode n = JSON.readTree(line);
            assertTrue(n.isObject(), "one JSON record per line: " + line);
            ids.add(n.get("Id").asText());
        }
        return ids;
    }

    private static List<String> sorted(List<String> l) {
        List<String> s = new ArrayList<>(l);
        Collections.sort(s);
        return s;
    }

    @Test
    void threeDaysThroughThrottlingServerErrorsAndTruncatedBodiesWritesEveryRecordExactlyOnce(@TempDir Path dir)
            throws Exception {
        cli = new CliHarness(CliHarness.tenant(4).duplicates(0.1));
        Instant from = CliHarness.NOW.minus(Duration.ofDays(3));
        cli.sim
                .faults()
                .rate(Faults.Kind.THROTTLE, 0.08)
                .rate(Faults.Kind.HTTP_500, 0.05)
                .rate(Faults.Kind.TRUNCATED_BODY, 0.08)
                .rate(Faults.Kind.RESET_MID_BODY, 0.04)
                .failNext(4, ".*/activity/feed/audit/.*", Faults.Kind.TRUNCATED_BODY);
        Path file = dir.resolve("export.jsonl");

        CliHarness.Run r = cli.run(
                "export",
                "--content-type",
                "Audit.Exchange",
                "--start",
                "-3d",
                "--end",
                "now",
                "--output",
                file.toString(),
                "--concurrency",
                "4");

        assertEquals(0, r.code(), r.toString());
        assertEquals("", r.out(), "records go to the file");
        assertFalse(Files.exists(dir.resolve("export.jsonl.part")), "the part file was renamed");
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> written = ids(lines);

        List<SimBlob> blobs = cli.sim.visibleBlobs(CliHarness.TENANT, ContentType.EXCHANGE, from, CliHarness.NOW);
        List<String> expected = new ArrayList<>();
        blobs.forEach(b -> expected.addAll(b.recordIds()));
        assertEquals(sorted(expected), sorted(written), "each blob's records once (the service's own repeats kept)");
        assertEquals(
                cli.sim.expectedRecordIds(CliHarness.TENANT, ContentType.EXCHANGE, from, CliHarness.NOW),
                new HashSet<>(written));
        assertTrue(
                cli.sim.servedRecordIds(CliHarness.TENANT, ContentType.EXCHANGE).containsAll(written));
        assertTrue(expected.size() > new HashSet<>(expected).size(), "the scenario has duplicate Ids");

        // each blob's records are contiguous and in order (checked for blobs whose ids occur once in the range)
        Map<String, Integer> count = new HashMap<>();
        expected.forEach(id -> count.merge(id, 1, Integer::sum));
        for (SimBlob b : blobs) {
            if (b.recordIds().stream().allMatch(id -> count.get(id) == 1)) {
                int at = written.indexOf(b.recordIds().get(0));
                assertEquals(
                        b.recordIds(), written.subList(at, at + b.recordIds().size()), b.contentId());
            }
        }

        List<RecordedRequest> fetches =
                cli.sim.requests().stream().filter(RecordedRequest::isBlobFetch).toList();
        assertTrue(fetches.stream().anyMatch(q -> q.status() != 200), "faults were injected");
        assertTrue(fetches.size() > blobs.size(), "some blobs were fetched again");
        assertTrue(
                r.err().contains("done: " + blobs.size() + " blobs, " + expected.size() + " records, 0 skipped"),
                r.toString());
    }

    @Test
    void allContentTypesWriteEachBlobsRecordsTogetherAndShowProgressOnATerminal() throws Exception {
        cli = new CliHarness(CliHarness.tenant(2));
        cli.interactive = true;
        Instant from = CliHarness.NOW.minus(Duration.ofDays(2));

        CliHarness.Run r = cli.run("export", "--content-type", "all", "--start", "-2d", "--concurrency", "3");

        assertEquals(0, r.code(), r.toString());
        List<String> written = ids(r.lines());
        List<String> expected = new ArrayList<>();
        int blobCount = 0;
        for (ContentType t : ContentType.values()) {
            List<SimBlob> blobs = cli.sim.visibleBlobs(CliHarness.TENANT, t, from, CliHarness.NOW);
            blobCount += blobs.size();
            for (SimBlob b : blobs) {
                expected.addAll(b.recordIds());
                // the streams of the five content types run at once; a blob's records still come together
                int at = written.indexOf(b.recordIds().get(0));
                assertEquals(
                        b.recordIds(), written.subList(at, at + b.recordIds().size()), b.contentId());
            }
        }
        assertEquals(sorted(expected), sorted(written), "every record of every content type once");
        assertTrue(
                r.err()
                        .matches("(?s).*\rexport: 100% of the range, " + blobCount + " blobs, [0-9.]+ [KMG]?B, "
                                + expected.size() + " records, 0 skipped.*"),
                r.toString());
        assertTrue(
                r.err().contains("done: " + blobCount + " blobs, " + expected.size() + " records, 0 skipped"),
                r.toString());
    }

    @Test
    void anEndInTheFutureExportsUpToNowAndEnds() throws Exception {
        cli = new CliHarness(CliHarness.tenant(2));
        Instant from = CliHarness.NOW.minus(Duration.ofHours(6));

        CliHarness.Run r = cli.run("export", "--content-type", "Audit.Exchange", "--start", "-6h", "--end", "+2h");

        assertEquals(0, r.code(), r.toString());
        assertEquals(sorted(cli.recordIdsOfBlobs(ContentType.EXCHANGE, from, CliHarness.NOW)), sorted(ids(r.lines())));
    }

    @Test
    void jsonCsvAndTableFormats() throws Exception {
        cli = new CliHarness(CliHarness.tenant(2));
        String[] base = {"export", "--content-type", "Audit.General", "--start", "-6h"};
        CliHarness.Run jsonl = cli.run(base);
        assertEquals(0, jsonl.code(), jsonl.toString());
        List<String> ids = ids(jsonl.lines());
        assertEquals(12 * 5, ids.size());

        CliHarness.Run json = cli.run(concat(base, "--format", "json"));
        assertEquals(0, json.code(), json.toString());
        JsonNode arr = JSON.readTree(json.out());
        List<String> jsonIds = new ArrayList<>();
        arr.forEach(n -> jsonIds.add(n.get("Id").asText()));
        assertEquals(sorted(ids), sorted(jsonIds));

        CliHarness.Run csv = cli.run(concat(base, "--format", "csv", "--fields", "Id,Operation,Workload"));
        assertEquals(0, csv.code(), csv.toString());
        List<String> csvLines = csv.out().lines().toList();
        assertEquals("Id,Operation,Workload", csvLines.get(0));
        assertEquals(ids.size() + 1, csvLines.size());
        assertEquals(
                sorted(ids),
                sorted(csvLines.subList(1, csvLines.size()).stream()
                        .map(l -> l.split(",")[0])
                        .toList()));

        CliHarness.Run table = cli.run(concat(base, "--format", "table"));
        assertEquals(0, table.code(), table.toString());
        List<String> rows = table.lines();
        assertEquals(String.join("\t", RecordFormat.DEFAULT_FIELDS), rows.get(0));
        assertEquals(ids.size() + 1, rows.size());
        rows.forEach(row -> assertEquals(RecordFormat.DEFAULT_FIELDS.size(), row.split("\t", -1).length, row));
    }

    @Test
    void csvQuotesValuesAndWritesNestedValuesAsJson() throws Exception {
        StringBuilder b = new StringBuilder();
        RecordFormat f = RecordFormat.of("csv", List.of("Id", "Subject", "Nested"), new java.io.StringWriter() {
            @Override
            public void write(String s) {
                b.append(s);
            }
        });
        f.begin();
        f.record("{\"Id\":\"a\",\"Subject\":\"x, \\\"y\\\"\",\"Nested\":{\"k\":[1,2]}}");
        assertEquals("Id,Subject,Nested\r\na,\"x, \"\"y\"\"\",\"{\"\"k\"\":[1,2]}\"\r\n", b.toString());
    }

    @Test
    void expiredBlobsAreSkippedAndNamedOnStderr() throws Exception {
        cli = new CliHarness(CliHarness.tenant(1).expiration(Duration.ofDays(2)));
        Instant from = CliHarness.NOW.minus(Duration.ofDays(3));
        List<SimBlob> blobs = cli.sim.visibleBlobs(CliHarness.TENANT, ContentType.SHAREPOINT, from, CliHarness.NOW);
        List<SimBlob> gone = blobs.stream()
                .filter(x -> !CliHarness.NOW.isBefore(x.contentExpiration()))
                .toList();
        assertFalse(gone.isEmpty());

        CliHarness.Run r = cli.run("export", "--content-type", "Audit.SharePoint", "--start", "-3d");

        assertEquals(0, r.code(), r.toString());
        for (SimBlob g : gone) {
            assertTrue(r.err().contains("o365-audit: warning: skipped blob " + g.contentId()), r.toString());
        }
        List<String> expected = new ArrayList<>();
        blobs.stream().filter(x -> !gone.contains(x)).forEach(x -> expected.addAll(x.recordIds()));
        assertEquals(sorted(expected), sorted(ids(r.lines())));
        assertTrue(r.err().contains(", " + gone.size() + " skipped"), r.toString());
        assertTrue(
                cli.sim.requests().stream().filter(RecordedRequest::isBlobFetch).count() == blobs.size() - gone.size(),
                "expired blobs are not requested");
    }

    /** A service that lists one blob in every window (as a late re-listing would). */
    /** --fields names in any case fill their columns, headed by the documented spelling. */
    @Test
    void fieldsAreMatchedWithoutRegardToCase() throws Exception {
        cli = new CliHarness(CliHarness.tenant(2));
        String[] base = {"export", "--content-type", "Audit.General", "--start", "-6h"};
        List<String> ids = ids(cli.run(base).lines());

        CliHarness.Run csv = cli.run(concat(base, "--format", "csv", "--fields", "id,OPERATION,workLoad"));

        assertEquals(0, csv.code(), csv.toString());
        List<String> lines = csv.out().lines().toList();
        assertEquals("Id,Operation,Workload", lines.get(0));
        assertEquals(ids.size() + 1, lines.size());
        for (String l : lines.subList(1, lines.size())) {
            String[] cells = l.split(",", -1);
            assertEquals(3, cells.length, l);
            for (String c : cells) {
                assertFalse(c.isEmpty(), "no empty column: " + l);
            }
        }
        assertEquals(
                sorted(ids),
                sorted(lines.subList(1, lines.size()).stream()
                        .map(l -> l.split(",")[0])
                        .toList()));
    }

    /** An unknown --fields name is a usage error (exit 2) that names it and the valid fields; nothing is listed. */
    @Test
    void unknownFieldIsAnErrorNamingTheValidOnes() {
        cli = new CliHarness(CliHarness.tenant(2));
        CliHarness.Run r = cli.run(
                "export",
                "--content-type",
                "Audit.General",
                "--start",
                "-6h",
                "--format",
                "table",
                "--fields",
                "Id,Operaton");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("unknown --fields name 'Operaton'"), r.toString());
        assertTrue(r.err().contains("CreationTime, Operation, OrganizationId"), r.toString());
        assertEquals("", r.out(), r.toString());
        assertEquals(0, cli.sim.requestCount(), "nothing listed: " + cli.sim.requests());
    }

    private static final class RelistingApi extends FakeManagementApi {
        private ContentBlob relisted;

        RelistingApi(Clock clock) {
            super(CliHarness.TENANT, clock);
        }

        @Override
        public ContentPage listContent(ContentType type, Instant start, Instant end) {
            ContentPage p = super.listContent(type, start, end);
            List<ContentBlob> blobs = new ArrayList<>(p.blobs());
            if (relisted != null && blobs.stream().noneMatch(x -> x.contentId().equals(relisted.contentId()))) {
                blobs.add(relisted);
            }
            return new ContentPage(blobs, p.nextPageUri());
        }
    }

    @Test
    void aBlobListedInTwoWindowsIsFetchedOnceAndGoneOrFailingBlobsNeverDuplicate() throws Exception {
        cli = new CliHarness(CliHarness.tenant(1));
        RelistingApi fake = new RelistingApi(cli.clock);
        fake.startSubscription(ContentType.EXCHANGE, null);
        Instant from = CliHarness.NOW.minus(Duration.ofDays(2));
        List<String> all = fake.addSchedule(ContentType.EXCHANGE, from, CliHarness.NOW, Duration.ofHours(2), 4);
        // the blob created first is listed again in the second window
        String firstId = all.get(0).substring(0, all.get(0).indexOf('#'));
        fake.relisted = new ContentBlob(
                "Audit.Exchange", firstId, "https://fake/" + firstId, from, from.plus(Duration.ofDays(7)));
        String secondId = all.get(4).substring(0, all.get(4).indexOf('#'));
        String thirdId = all.get(8).substring(0, all.get(8).indexOf('#'));
        fake.failMidBlob(secondId, 2, 3); // breaks off after 2 records, three times
        fake.failOpen(thirdId, ErrorKind.SKIP_BLOB); // AF20050: gone
        cli.apiFactory = s -> fake;

        CliHarness.Run r = cli.run("export", "--content-type", "Audit.Exchange", "--start", "-2d");

        assertEquals(0, r.code(), r.toString());
        assertEquals(2, fake.windows().size(), "two 24 h windows");
        List<String> written = ids(r.lines());
        List<String> expected =
                all.stream().filter(id -> !id.startsWith(thirdId + "#")).toList();
        assertEquals(sorted(expected), sorted(written), "each record once");
        assertTrue(r.err().contains("skipped blob " + thirdId), r.toString());
        assertTrue(r.err().contains("done: 23 blobs, 92 records, 1 skipped"), r.toString());
        assertEquals(24 + 3, fake.opens(), "each blob opened once, plus the three retries");
    }

    @Test
    void aSignInFailureFailsInOneLineWithoutAnOutputFile(@TempDir Path dir) {
        cli = new CliHarness(CliHarness.tenant(1));
        cli.env.put("O365_CLIENT_ID", "00000000-1111-2222-3333-444444444444"); // not registered
        Path file = dir.resolve("out.jsonl");
        CliHarness.Run r =
                cli.run("export", "--content-type", "Audit.Exchange", "--start", "-1d", "-o", file.toString());
        assertEquals(1, r.code(), r.toString());
        assertFalse(Files.exists(file));
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("o365-audit: ") && !l.contains("warning")), r.toString());
        assertFalse(r.err().contains(CliHarness.SECRET) || r.out().contains(CliHarness.SECRET));
    }

    @Test
    void unsubscribedContentTypeSaysHowToStartIt() {
        cli = new CliHarness(io.github.auditlake.o365.simulator.TenantSpec.of(CliHarness.TENANT)
                .app(io.github.auditlake.o365.simulator.AppSpec.of(CliHarness.CLIENT)
                        .secret(CliHarness.SECRET)));
        CliHarness.Run r = cli.run("export", "--content-type", "Audit.General", "--start", "-1h");
        assertEquals(1, r.code(), r.toString());
        assertTrue(
                r.err().contains("AF20022")
                        && r.err().contains("o365-audit subscriptions start --content-type Audit.General"),
                r.toString());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
