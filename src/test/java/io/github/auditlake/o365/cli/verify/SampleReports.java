package io.github.auditlake.o365.cli.verify;

import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.ledger.BlobDigest;
import io.github.auditlake.o365.ledger.LedgerEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Reports made without Kafka or the API, for the attestation's tests and its screenshot. */
final class SampleReports {
    static final String TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
    static final Instant START = Instant.parse("2026-11-27T12:00:00Z");
    static final Instant END = Instant.parse("2026-11-28T12:00:00Z");
    static final List<String> TYPES = List.of("Audit.AzureActiveDirectory", "Audit.Exchange", "Audit.SharePoint");

    private SampleReports() {}

    static VerifyReport.Meta meta(boolean data) {
        return new VerifyReport.Meta(
                TENANT,
                START,
                END,
                END.plusSeconds(95),
                "o365-audit 0.1.0",
                "broker-1.example:9092",
                "o365-audit-ledger",
                data,
                data ? List.of("o365-audit") : List.of(),
                Duration.ofMinutes(30),
                TYPES,
                "verify --bootstrap-server broker-1.example:9092 --content-type aad,exchange,sharepoint --start "
                        + "2026-11-27T12:00:00Z --end 2026-11-28T12:00:00Z --data --attest attestation.html");
    }

    /**
     * A day of three content types: hour 14:00 of Exchange missing from the ledger, one SharePoint blob skipped, one
     * altered blob (with data), the last half hour pending.
     */
    static VerifyReport day(boolean data) {
        Random rnd = new Random(7);
        List<ContentBlob> listed = new ArrayList<>();
        List<LedgerEntry> ledger = new ArrayList<>();
        Instant missingHour = Instant.parse("2026-11-27T14:00:00Z");
        String skippedId = null;
        for (String type : TYPES) {
            int perHour = type.equals("Audit.Exchange") ? 12 : type.equals("Audit.SharePoint") ? 8 : 4;
            for (Instant h = START; h.isBefore(END); h = h.plus(Duration.ofHours(1))) {
                for (int i = 0; i < perHour; i++) {
                    Instant created = h.plusSeconds(i * (3600L / perHour) + rnd.nextInt(60));
                    String id = created.toEpochMilli() + "$" + type.hashCode() + "$" + i;
                    ContentBlob b =
                            new ContentBlob(type, id, "https://api/" + id, created, created.plus(Duration.ofDays(7)));
                    listed.add(b);
                    boolean missing = type.equals("Audit.Exchange") && h.equals(missingHour);
                    boolean pending = created.isAfter(END.minus(Duration.ofMinutes(30)));
                    if (missing || pending) {
                        continue;
                    }
                    long records = 20 + rnd.nextInt(200) * (type.equals("Audit.Exchange") ? 3 : 1);
                    boolean skip = skippedId == null && type.equals("Audit.SharePoint") && h.getEpochSecond() % 7 == 0;
                    if (skip) {
                        skippedId = id;
                    }
                    ledger.add(new LedgerEntry(
                            TENANT,
                            type,
                            id,
                            b.contentUri(),
                            created,
                            b.contentExpiration(),
                            created.plusSeconds(30),
                            created.plusSeconds(90),
                            skip ? 0 : records,
                            skip ? 0 : records * 1200,
                            BlobDigest.EMPTY,
                            0,
                            skip ? LedgerEntry.Outcome.SKIPPED : LedgerEntry.Outcome.DELIVERED,
                            skip ? "the blob expired before it could be fetched (AF20051)" : null,
                            0));
                }
            }
        }
        LedgerRead read = LedgerRead.of(TENANT, START, END, ledger);
        Map<String, DataCheck.Result> results = null;
        if (data) {
            results = new java.util.HashMap<>();
            for (LedgerEntry e : ledger) {
                results.put(e.contentId(), new DataCheck.Result(e.records(), e.sha256(), 0, List.of()));
            }
            LedgerEntry altered = ledger.get(ledger.size() / 3);
            results.put(altered.contentId(), new DataCheck.Result(altered.records(), "ab".repeat(32), 0, List.of()));
        }
        return Comparison.compare(meta(data), listed, read, results, END, List.of());
    }
}
