package io.github.auditlake.o365.cli.verify;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What {@code o365-audit verify} found for one tenant and range: a row per content type and hour of
 * {@code contentCreated}, every blob that is not simply delivered (a finding), the totals and the ledger range hash
 * ({@code ledgerLines} is the text it hashes: see {@link LedgerRead}).
 */
public record VerifyReport(
        Meta meta,
        List<Row> rows,
        Row totals,
        List<Finding> findings,
        String ledgerSha256,
        long ledgerEntries,
        String ledgerLines,
        List<String> notes) {

    /** How a blob stands. */
    public enum Status {
        /** Listed and in the ledger as delivered (and, with --data, its records match). */
        DELIVERED,
        /** In the ledger as skipped by the connector (the service said it was gone or expired), with the reason. */
        SKIPPED,
        /** Listed by the API but not in the ledger. */
        MISSING,
        /** Listed but too recent to have been delivered yet (within the grace): not counted as missing. */
        PENDING,
        /** In the ledger, but the audit topics hold other records (count or hash differ). */
        MISMATCHED,
        /** In the ledger but not listed by the API for the range (e.g. a blob the API no longer lists). */
        LEDGER_ONLY;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /** One blob worth naming. */
    public record Finding(String contentType, String contentId, Instant contentCreated, Status status, String reason) {}

    /** Counts of blobs (and delivered records) of one content type and hour, or of the whole range. */
    public record Row(
            Instant hour,
            String contentType,
            long listed,
            long inLedger,
            long delivered,
            long skipped,
            long missing,
            long pending,
            long mismatched,
            long ledgerOnly,
            long records) {
        Row plus(Row o) {
            return new Row(
                    hour,
                    contentType,
                    listed + o.listed,
                    inLedger + o.inLedger,
                    delivered + o.delivered,
                    skipped + o.skipped,
                    missing + o.missing,
                    pending + o.pending,
                    mismatched + o.mismatched,
                    ledgerOnly + o.ledgerOnly,
                    records + o.records);
        }
    }

    /**
     * When and how the check was made.
     *
     * @param dataTopics the audit topics read with --data, empty without
     * @param options    the command's options as given (secrets never appear: verify takes none)
     */
    public record Meta(
            String tenant,
            Instant start,
            Instant end,
            Instant checkedAt,
            String toolVersion,
            String bootstrapServers,
            String ledgerTopic,
            boolean data,
            List<String> dataTopics,
            Duration grace,
            List<String> contentTypes,
            String options) {}

    /** True when nothing is missing and nothing mismatched. */
    public boolean complete() {
        return totals.missing() == 0 && totals.mismatched() == 0;
    }

    /** The findings of one status. */
    public List<Finding> findings(Status s) {
        return findings.stream().filter(f -> f.status() == s).toList();
    }
}
