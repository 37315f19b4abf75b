package io.github.auditlake.o365.cli.verify;

import io.github.auditlake.o365.api.ContentBlob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * {@code o365-audit verify} without the command line: the API's listing of a tenant and range against the ledger
 * topic and, optionally, the audit topics. The CLI lists the API and calls {@link #verify}; a test can do the same
 * with any listing.
 */
public final class Verifier {
    /** The ledger topic when none is named (the connector's suggested name). */
    public static final String DEFAULT_LEDGER_TOPIC = "o365-audit-ledger";
    /** Blobs created this recently may not be delivered yet: the connector polls every minute, then fetches. */
    public static final Duration DEFAULT_GRACE = Duration.ofMinutes(30);

    private Verifier() {}

    /**
     * What to check.
     *
     * @param kafka       client properties: bootstrap.servers plus any security settings
     * @param dataTopics  the audit topics to recompute the blobs from; empty: no data check
     * @param meta        tenant, range, grace, content types, and how the check was asked for
     * @param progress    lines for stderr (what is being read), or a no-op
     */
    public record Request(
            Properties kafka,
            String ledgerTopic,
            List<String> dataTopics,
            VerifyReport.Meta meta,
            Consumer<String> progress) {
        public Request {
            Objects.requireNonNull(kafka, "kafka");
            Objects.requireNonNull(ledgerTopic, "ledgerTopic");
            dataTopics = List.copyOf(dataTopics);
            Objects.requireNonNull(meta, "meta");
            progress = progress == null ? s -> {} : progress;
        }
    }

    /**
     * Reads the ledger (and the data topics when asked) and compares them with {@code listed}, the blobs the API
     * lists for the tenant and range (their {@code contentType} as the content type's wire name).
     *
     * @param now the time of the check (the grace counts back from it)
     * @throws VerifyException when Kafka cannot be read
     */
    public static VerifyReport verify(Request req, List<ContentBlob> listed, Instant now) {
        VerifyReport.Meta m = req.meta();
        TopicScan scan = new TopicScan(req.kafka());
        LedgerRead ledger = new LedgerRead(m.tenant(), m.start(), m.end());
        req.progress().accept("reading the ledger topic " + req.ledgerTopic());
        scan.scan(List.of(req.ledgerTopic()), ledger.sink());
        List<String> notes = new ArrayList<>();
        if (ledger.unreadable() > 0) {
            notes.add(ledger.unreadable() + " ledger values could not be read, e.g. " + ledger.unreadableSamples());
        }
        Map<String, DataCheck.Result> data = null;
        if (!req.dataTopics().isEmpty()) {
            req.progress().accept("reading the audit topics " + req.dataTopics());
            DataCheck check = new DataCheck(ledger.entries().values());
            TopicScan.Counts counts = scan.scan(req.dataTopics(), check.sink());
            data = check.results();
            notes.add("audit records read: " + counts.records + " (" + check.recordsOfOtherBlobs()
                    + " of blobs not in the ledger's range for the tenant)");
        }
        return Comparison.compare(m, listed, ledger, data, now, notes);
    }

    /** Compares without Kafka: a listing against ledger entries already read (and data results, or none). */
    static VerifyReport compare(VerifyReport.Meta meta, List<ContentBlob> listed, LedgerRead ledger, Instant now) {
        return Comparison.compare(meta, listed, ledger, null, now, List.of());
    }
}
