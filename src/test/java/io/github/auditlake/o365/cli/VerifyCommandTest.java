package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.ServiceClock;
import io.github.auditlake.o365.client.ClientSettings;
import io.github.auditlake.o365.client.ManagementApis;
import io.github.auditlake.o365.cluster.TopicDamage;
import io.github.auditlake.o365.ledger.LedgerEntry;
import io.github.auditlake.o365.testkit.LedgerFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify} against a real broker: the simulator lists a tenant's blobs; the ledger and the audit records are
 * written as the connector writes them ({@link LedgerFixture}); each kind of damage ({@link TopicDamage}) is made on a
 * copy of the topics, and verify is pointed at the copy.
 */
class VerifyCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<ContentType> TYPES = List.of(ContentType.EXCHANGE, ContentType.SHAREPOINT);
    private static final AtomicInteger RUN = new AtomicInteger();
    private static EmbeddedKafkaCluster kafka;

    private final CliHarness cli = new CliHarness(CliHarness.tenant(2));
    private String ledger;
    private String audit;
    private List<ContentBlob> blobs;

    @BeforeAll
    static void startKafka() {
        kafka = new EmbeddedKafkaCluster(1, new Properties());
        kafka.start();
    }

    @AfterAll
    static void stopKafka() {
        kafka.stop();
    }

    @BeforeEach
    void deliverEveryBlob() {
        int n = RUN.incrementAndGet();
        ledger = "ledger-" + n;
        audit = "audit-" + n;
        kafka.createTopic(ledger, 1);
        kafka.createTopic(audit, 3); // a blob's records spread over partitions, as records keyed by Id are
        blobs = listed(CliHarness.NOW.minus(Duration.ofHours(6)), CliHarness.NOW);
        assertTrue(blobs.size() >= 20, "a few blobs per type and hour: " + blobs.size());
        try (ManagementApi api = api();
                LedgerFixture f = new LedgerFixture(kafka.bootstrapServers(), api, CliHarness.TENANT)) {
            blobs.forEach(b -> f.deliver(b, audit, ledger));
            f.flush();
        }
    }

    @AfterEach
    void stopSimulator() {
        cli.close();
    }

    @Test
    void aCompleteRangeExitsZeroAndCountsEveryBlob() throws Exception {
        CliHarness.Run r = verify("--data", "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode report = JSON.readTree(r.out());
        assertTrue(report.get("complete").asBoolean());
        JsonNode totals = report.get("totals");
        assertEquals(blobs.size(), totals.get("listed").asInt());
        assertEquals(blobs.size(), totals.get("inLedger").asInt());
        assertEquals(0, totals.get("missing").asInt());
        assertEquals(0, totals.get("mismatched").asInt());
        assertEquals(blobs.size() * 5L, totals.get("records").asLong(), "5 records per simulated blob");
        Instant start = Instant.parse(report.get("checked").get("start").asText());
        Instant end = Instant.parse(report.get("checked").get("end").asText());
        long hours = Duration.between(start.truncatedTo(java.time.temporal.ChronoUnit.HOURS), end.minusNanos(1))
                        .toHours()
                + 1;
        assertEquals(TYPES.size() * hours, report.get("hours").size(), "a row per content type and hour");
        assertTrue(r.err().contains("complete: " + blobs.size() + " blobs listed"), r.err());
    }

    @Test
    void aRemovedLedgerEntryIsMissingAndNamed() {
        ContentBlob victim = blobs.get(blobs.size() / 2);
        TopicDamage.rewrite(
                kafka.bootstrapServers(),
                ledger,
                ledger + "-damaged",
                TopicDamage.drop(
                        TopicDamage.key(LedgerEntry.key(CliHarness.TENANT, victim.contentType(), victim.contentId()))));
        CliHarness.Run r = verify("--ledger-topic", ledger + "-damaged");
        assertEquals(VerifyCommand.INCOMPLETE, r.code(), r.toString());
        List<String> missing = findings(r, "missing");
        assertEquals(List.of(victim.contentId()), missing, r.toString());
        assertTrue(r.err().contains("NOT complete"), r.err());
    }

    @Test
    void deletedRecordsOfABlobAreAMismatchNamingTheBlob() {
        ContentBlob victim = blobs.get(3);
        TopicDamage.rewrite(
                kafka.bootstrapServers(),
                audit,
                audit + "-damaged",
                TopicDamage.drop(TopicDamage.header(LedgerEntry.HEADER_CONTENT_ID, victim.contentId())));
        CliHarness.Run r = verify("--data", "--data-topic", audit + "-damaged");
        assertEquals(VerifyCommand.INCOMPLETE, r.code(), r.toString());
        assertEquals(List.of(victim.contentId()), findings(r, "mismatched"), r.toString());
        assertTrue(r.out().contains("the audit topics hold 0 of its records, the ledger says 5"), r.out());
    }

    @Test
    void oneChangedByteOfOneRecordIsAMismatchNamingTheBlob() {
        ContentBlob victim = blobs.get(7);
        TopicDamage.rewrite(
                kafka.bootstrapServers(),
                audit,
                audit + "-damaged",
                TopicDamage.alterOneByte(TopicDamage.header(LedgerEntry.HEADER_CONTENT_ID, victim.contentId())
                        .and(TopicDamage.header(LedgerEntry.HEADER_RECORD_INDEX, "2"))));
        CliHarness.Run r = verify("--data", "--data-topic", audit + "-damaged");
        assertEquals(VerifyCommand.INCOMPLETE, r.code(), r.toString());
        assertEquals(List.of(victim.contentId()), findings(r, "mismatched"), r.toString());
        assertTrue(r.out().contains("chained SHA-256"), r.out());
    }

    @Test
    void duplicatedRecordsAloneDoNotFail() throws Exception {
        ContentBlob victim = blobs.get(5);
        TopicDamage.rewrite(
                kafka.bootstrapServers(),
                audit,
                audit + "-damaged",
                TopicDamage.duplicate(r -> r.offset() % 3 == 0
                        || new String(r.headers()
                                        .lastHeader(LedgerEntry.HEADER_CONTENT_ID)
                                        .value())
                                .equals(victim.contentId())));
        CliHarness.Run r = verify("--data", "--data-topic", audit + "-damaged", "--json");
        JsonNode report = JSON.readTree(r.out());
        assertEquals(0, r.code(), () -> r.err() + report.get("blobs") + report.get("notes"));
        assertEquals(0, report.get("totals").get("mismatched").asInt());
    }

    @Test
    void withoutDataOnlyTheLedgerIsCompared() {
        TopicDamage.rewrite(
                kafka.bootstrapServers(),
                audit,
                audit + "-damaged",
                TopicDamage.drop(TopicDamage.header(
                        LedgerEntry.HEADER_CONTENT_ID, blobs.get(0).contentId())));
        CliHarness.Run r = verify();
        assertEquals(0, r.code(), "the data topics are not read: " + r);
        assertTrue(r.err().contains("(data not read)"), r.err());
    }

    @Test
    void blobsWithinTheGraceArePendingNotMissing() throws Exception {
        ContentBlob newest = blobs.stream()
                .max(Comparator.comparing(ContentBlob::contentCreated))
                .orElseThrow();
        TopicDamage.rewrite(
                kafka.bootstrapServers(),
                ledger,
                ledger + "-damaged",
                TopicDamage.drop(
                        TopicDamage.key(LedgerEntry.key(CliHarness.TENANT, newest.contentType(), newest.contentId()))));
        long minutes = Duration.between(newest.contentCreated(), CliHarness.NOW).toMinutes() + 1;
        CliHarness.Run pending = verify("--ledger-topic", ledger + "-damaged", "--grace", minutes + "m", "--json");
        assertEquals(0, pending.code(), pending.toString());
        assertEquals(
                1, JSON.readTree(pending.out()).get("totals").get("pending").asInt());
        CliHarness.Run missing = verify("--ledger-topic", ledger + "-damaged", "--grace", "0m");
        assertEquals(VerifyCommand.INCOMPLETE, missing.code(), missing.toString());
        assertEquals(List.of(newest.contentId()), findings(missing, "missing"));
    }

    @Test
    void aSkippedBlobIsReportedWithItsReasonAndDoesNotFail() {
        ContentBlob victim = blobs.get(2);
        try (ManagementApi api = api();
                LedgerFixture f = new LedgerFixture(kafka.bootstrapServers(), api, CliHarness.TENANT)) {
            f.skip(victim, ledger, "the blob expired before it could be fetched (AF20051)");
            f.flush();
        }
        CliHarness.Run r = verify();
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("skipped\t" + victim.contentType() + "\t" + victim.contentId()), r.out());
        assertTrue(r.out().contains("AF20051"), r.out());
    }

    @Test
    void theLedgerDumpHashesToTheReportedRangeHashAndTheAttestationIsWritten(@TempDir Path dir) throws Exception {
        Path dump = dir.resolve("ledger.jsonl");
        Path page = dir.resolve("attestation.html");
        CliHarness.Run r = verify(
                "--json",
                "--ledger-dump",
                dump.toString(),
                "--attest",
                page.toString(),
                "--client-secret",
                CliHarness.SECRET);
        assertEquals(0, r.code(), r.toString());
        String hash = JSON.readTree(r.out()).get("ledgerRangeSha256").asText();
        byte[] lines = Files.readAllBytes(dump);
        assertEquals(
                hash,
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(lines)));
        assertEquals(blobs.size(), new String(lines).lines().count());
        String html = Files.readString(page);
        assertTrue(html.contains(hash) && html.contains("COMPLETE") && html.contains(CliHarness.TENANT), html);
        assertTrue(html.contains("--client-secret ***"), "the command line is shown, its secret masked");
        assertFalse(html.contains(CliHarness.SECRET) || r.out().contains(CliHarness.SECRET), "no secret");
    }

    @Test
    void anUnreachableBrokerIsAFailureNotAVerdict() {
        CliHarness.Run r = cli.run(
                "verify",
                "--bootstrap-server",
                "127.0.0.1:1",
                "--command-config",
                writeConfig("default.api.timeout.ms=2000\nrequest.timeout.ms=1000\n"),
                "--content-type",
                "exchange",
                "--start",
                "-1h");
        assertEquals(1, r.code(), r.toString());
    }

    private String writeConfig(String text) {
        try {
            Path p = Files.createTempFile("verify", ".properties");
            Files.writeString(p, text);
            p.toFile().deleteOnExit();
            return p.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The contentIds of the report's findings of one status. */
    private static List<String> findings(CliHarness.Run r, String status) {
        List<String> ids = new ArrayList<>();
        for (String line : r.lines()) {
            String[] cells = line.split("\t", -1);
            if (cells.length == 5 && cells[0].equals(status)) {
                ids.add(cells[2]);
            }
        }
        return ids;
    }

    private CliHarness.Run verify(String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "verify",
                "--bootstrap-server",
                kafka.bootstrapServers(),
                "--ledger-topic",
                ledger,
                "--content-type",
                "exchange,sharepoint",
                "--start",
                "-6h",
                "--data-topic",
                audit));
        // a later --ledger-topic / --data-topic wins; --data-topic needs --data, so it is dropped without it
        List<String> e = List.of(extra);
        if (!e.contains("--data")) {
            args.subList(args.size() - 2, args.size()).clear();
        }
        if (e.contains("--data-topic")) {
            args.removeIf(a -> a.equals(audit));
            args.remove("--data-topic");
        }
        if (e.contains("--ledger-topic")) {
            int i = args.indexOf("--ledger-topic");
            args.remove(i + 1);
            args.remove(i);
        }
        args.addAll(e);
        return cli.run(args.toArray(String[]::new));
    }

    private List<ContentBlob> listed(Instant from, Instant to) {
        List<ContentBlob> all = new ArrayList<>();
        try (ManagementApi api = api()) {
            for (ContentType t : TYPES) {
                for (ContentBlob b : api.listAllContent(t, from, to)) {
                    all.add(new ContentBlob(
                            t.wireName(), b.contentId(), b.contentUri(), b.contentCreated(), b.contentExpiration()));
                }
            }
        }
        return all;
    }

    private ManagementApi api() {
        return ManagementApis.create(ClientSettings.builder()
                .tenantId(CliHarness.TENANT)
                .clientId(CliHarness.CLIENT)
                .clientSecret(CliHarness.SECRET)
                .apiBaseUrl(cli.sim.baseUrl())
                .loginBaseUrl(cli.sim.baseUrl())
                .clock(cli.clock)
                .sleeper(cli.clock::advance)
                .random(new Random(3))
                .serviceClock(ServiceClock.fixedTo(cli.clock))
                .build());
    }
}
