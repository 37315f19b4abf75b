package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.SimBlob;
import io.github.auditlake.o365.simulator.TenantSpec;
import io.github.auditlake.o365.simulator.Volume;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code export} beyond 7 days: audit search for the old part, the Management API for the rest, once each. */
class ExportHistoryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private CliHarness cli;

    @AfterEach
    void stop() {
        if (cli != null) {
            cli.close();
        }
    }

    private static TenantSpec tenant(AppSpec app) {
        return TenantSpec.of(CliHarness.TENANT)
                .app(app)
                .subscribedAll(true)
                .volumeAll(Volume.of(1, 4))
                .backfill(Duration.ofDays(35));
    }

    private static TenantSpec tenant() {
        return tenant(AppSpec.of(CliHarness.CLIENT).secret(CliHarness.SECRET));
    }

    private static Map<String, Integer> counts(List<String> ids) {
        Map<String, Integer> m = new HashMap<>();
        ids.forEach(id -> m.merge(id, 1, Integer::sum));
        return m;
    }

    private static List<String> ids(List<String> lines) throws Exception {
        List<String> ids = new ArrayList<>();
        for (String line : lines) {
            ids.add(JSON.readTree(line).get("Id").asText());
        }
        return ids;
    }

    /** Equal counts, or a failure that says how many records are missing, extra or repeated (not the whole maps). */
    private static void assertSameCounts(Map<String, Integer> expected, Map<String, Integer> actual) {
        long missing =
                expected.keySet().stream().filter(id -> !actual.containsKey(id)).count();
        long extra =
                actual.keySet().stream().filter(id -> !expected.containsKey(id)).count();
        long wrong = expected.entrySet().stream()
                .filter(e -> actual.containsKey(e.getKey())
                        && !actual.get(e.getKey()).equals(e.getValue()))
                .count();
        String sample = expected.entrySet().stream()
                .filter(e -> actual.containsKey(e.getKey())
                        && !actual.get(e.getKey()).equals(e.getValue()))
                .limit(3)
                .map(e -> e.getKey() + " expected " + e.getValue() + " got " + actual.get(e.getKey()))
                .toList()
                .toString();
        assertEquals(
                "missing 0, extra 0, wrong count 0",
                "missing " + missing + ", extra " + extra + ", wrong count " + wrong,
                sample);
    }

    /** The seam the export uses: the earliest start the Management API accepts at NOW. */
    private static Instant seam() {
        return CliHarness.NOW.minus(Duration.ofDays(7)).plus(Times.EDGE_MARGIN);
    }

    @Test
    void thirtyDaysIntoAFileEveryRecordOnceAcrossTheSeam(@TempDir Path dir) throws Exception {
        cli = new CliHarness(tenant());
        Path file = dir.resolve("month.jsonl");
        Instant from = CliHarness.NOW.minus(Duration.ofDays(30));

        CliHarness.Run r =
                cli.run("export", "--content-type", "all", "--start", "-30d", "--output", file.toString(), "--verbose");

        assertEquals(0, r.code(), r.toString());
        List<String> written = ids(Files.readAllLines(file, StandardCharsets.UTF_8));
        List<String> expected = new ArrayList<>(cli.sim.auditSearch().recordIds(CliHarness.TENANT, from, seam()));
        List<String> listed = new ArrayList<>();
        for (ContentType t : ContentType.values()) {
            for (SimBlob b : cli.sim.visibleBlobs(CliHarness.TENANT, t, seam(), CliHarness.NOW)) {
                listed.addAll(b.recordIds());
            }
        }
        List<String> straddling = listed.stream().filter(expected::contains).toList();
        assertTrue(straddling.size() > 0, "blobs after the seam carry records created before it");
        listed.stream().filter(id -> !expected.contains(id)).forEach(expected::add);
        assertSameCounts(counts(expected), counts(written));
        assertTrue(r.err().contains(straddling.size() + " of them also in audit search"), r.err());
        assertTrue(r.err().contains("audit search [" + from), r.err());
        assertTrue(r.err().contains(": succeeded (query "), "query states shown: " + r.err());
    }

    @Test
    void auditSearchValueIsTheManagementApisJsonByteForByte() throws Exception {
        cli = new CliHarness(tenant());
        // both sources for the same 6 hours inside the 7 days: the lines must be identical
        CliHarness.Run viaSearch = cli.run(
                "export",
                "--content-type",
                "Audit.Exchange",
                "--source",
                "audit-search",
                "--start",
                "-3d",
                "--end",
                "-2d18h".replace("2d18h", "66h"));
        assertEquals(0, viaSearch.code(), viaSearch.toString());
        Instant from = CliHarness.NOW.minus(Duration.ofDays(3));
        Instant to = CliHarness.NOW.minus(Duration.ofHours(66));
        Map<String, String> search = new HashMap<>();
        for (String line : viaSearch.lines()) {
            search.put(JSON.readTree(line).get("Id").asText(), line);
        }
        CliHarness.Run viaApi =
                cli.run("export", "--content-type", "Audit.Exchange", "--source", "activity-api", "--start", "-4d");
        assertEquals(0, viaApi.code(), viaApi.toString());
        int compared = 0;
        for (String line : viaApi.lines()) {
            JsonNode n = JSON.readTree(line);
            Instant t = Instant.parse(n.get("CreationTime").asText() + "Z");
            if (!t.isBefore(from) && t.isBefore(to)) {
                assertEquals(line, search.get(n.get("Id").asText()));
                compared++;
            }
        }
        assertEquals(search.size(), compared);
        assertTrue(compared > 10);
    }

    /** {@code export} of every content type from audit search alone over {@code [from, to)}. */
    private CliHarness.Run searchOnly(Instant from, Instant to) {
        return cli.run(
                "export",
                "--content-type",
                "all",
                "--source",
                "audit-search",
                "--start",
                from.toString(),
                "--end",
                to.toString());
    }

    @Test
    void aQueryOverTheRecordLimitIsSplitAndNothingIsLost() throws Exception {
        cli = new CliHarness(tenant());
        cli.sim.auditSearch().recordLimit(200);
        Instant from = CliHarness.NOW.minus(Duration.ofDays(20));
        Instant to = CliHarness.NOW.minus(Duration.ofDays(17));
        CliHarness.Run r = searchOnly(from, to);
        assertEquals(0, r.code(), r.toString());
        List<String> expected = cli.sim.auditSearch().recordIds(CliHarness.TENANT, from, to);
        assertTrue(expected.size() > 600);
        assertSameCounts(counts(expected), counts(ids(r.lines())));
        assertTrue(cli.sim.auditSearch().queries().size() > 6);
    }

    @Test
    void anElementWithoutAuditDataIsNamedAndSkippedAndTheRestWritten() throws Exception {
        cli = new CliHarness(tenant());
        Instant from = CliHarness.NOW.minus(Duration.ofDays(20));
        Instant to = CliHarness.NOW.minus(Duration.ofDays(19));
        List<String> expected = new ArrayList<>(cli.sim.auditSearch().recordIds(CliHarness.TENANT, from, to));
        List<String> bad = List.of(expected.get(0), expected.get(expected.size() / 2));
        cli.sim.auditSearch().unreadable(bad);
        CliHarness.Run r = searchOnly(from, to);
        assertEquals(0, r.code(), r.toString());
        expected.removeAll(bad);
        assertSameCounts(counts(expected), counts(ids(r.lines())));
        for (String id : bad) {
            assertTrue(r.err().contains("Graph id " + id) && r.err().contains("without auditData"), r.err());
        }
        assertTrue(r.err().contains("2 unreadable skipped"), r.err());
    }

    @Test
    void activityApiAloneStillRefusesAStartBeyondSevenDays() {
        cli = new CliHarness(tenant());
        CliHarness.Run r = cli.run("export", "--content-type", "all", "--source", "activity-api", "--start", "-10d");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("more than 7 days ago"), r.err());
        assertEquals(0, cli.sim.auditSearch().requestCount());
    }

    @Test
    void aStartWithinSevenDaysNeverUsesAuditSearch() {
        cli = new CliHarness(tenant());
        CliHarness.Run r = cli.run("export", "--content-type", "Audit.General", "--start", "-7d");
        assertEquals(0, r.code(), r.toString());
        assertEquals(0, cli.sim.auditSearch().requestCount());
    }

    @Test
    void withoutThePermissionTheErrorNamesIt() {
        cli = new CliHarness(tenant(AppSpec.of(CliHarness.CLIENT)
                .secret(CliHarness.SECRET)
                .roles(AppSpec.ROLE_READ, AppSpec.ROLE_READ_DLP)));
        CliHarness.Run r = cli.run(
                "export", "--content-type", "all", "--source", "audit-search", "--start", "-20d", "--end", "-19d");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("AuditLogsQuery.Read.All"), r.err());
    }

    @Test
    void anotherCloudCannotUseAuditSearch() {
        cli = new CliHarness(tenant());
        cli.env.put("O365_CLOUD", "gcc-high");
        CliHarness.Run r = cli.run("export", "--content-type", "all", "--start", "-20d", "--end", "-19d");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("global service only"), r.err());
    }
}
