package io.github.auditlake.o365.engine;

import io.github.auditlake.o365.api.AuditRecord;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.cursor.StreamCursor.LedgerState;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.ledger.BlobDigest;
import io.github.auditlake.o365.ledger.LedgerEntry;
import java.time.Instant;

/**
 * The completeness ledger of the blob a stream is delivering: the chained SHA-256 ({@link BlobDigest}) over the
 * records that go to the audit topic, in order, from record {@code chainFrom} on. Its state goes into each record's
 * position ({@link LedgerState}), so a restart inside the blob goes on with the same chain. Used by the stream's worker
 * thread only (the hashing stays off the task's thread).
 */
final class BlobLedger {
    private final StreamId stream;
    private final ContentBlob blob;
    private final Instant firstListed;
    private final long chainFrom;
    private final BlobDigest chain;
    private final int recordMaxBytes;

    private BlobLedger(
            StreamId stream,
            ContentBlob blob,
            Instant firstListed,
            long chainFrom,
            BlobDigest chain,
            int recordMaxBytes) {
        this.stream = stream;
        this.blob = blob;
        this.firstListed = firstListed;
        this.chainFrom = chainFrom;
        this.chain = chain;
        this.recordMaxBytes = recordMaxBytes;
    }

    /**
     * The ledger of {@code work}'s blob, whose first record to deliver now is {@code firstIndex}: the stored chain when
     * it resumes where the stored position left it; a new chain from {@code firstIndex} otherwise (0: the blob from
     * its start, also when it changed on the service side and is delivered again; above 0: resumed from an offset
     * written without a chain).
     */
    static BlobLedger begin(StreamId stream, BlobDelivery.Work work, long firstIndex, int recordMaxBytes) {
        LedgerState stored = work.ledger();
        Instant listed = stored != null && stored.firstListed() != null ? stored.firstListed() : work.firstListed();
        if (stored != null && firstIndex > 0 && firstIndex == work.skip() && stored.chainFrom() <= firstIndex) {
            return new BlobLedger(
                    stream,
                    work.blob(),
                    listed,
                    stored.chainFrom(),
                    stored.chain().copy(),
                    recordMaxBytes);
        }
        return new BlobLedger(stream, work.blob(), listed, firstIndex, new BlobDigest(), recordMaxBytes);
    }

    /** The next element of the blob was handed on: an audit record joins the chain, anything else is skipped. */
    void add(AuditRecord r) {
        if (r.problem() == null && !r.exceeds(recordMaxBytes)) {
            chain.add(r.utf8());
        }
    }

    /** The state after the elements added so far, for the position. */
    LedgerState state() {
        return new LedgerState(firstListed, chainFrom, chain.copy());
    }

    /**
     * The blob's entry, once it ended after {@code elements} of its elements (the index of the next one).
     *
     * @param reason for a skipped blob, the skip reason; null for a delivered one
     */
    LedgerEntry entry(long elements, Instant handedOver, String reason) {
        return new LedgerEntry(
                stream.tenantId(),
                stream.contentType().wireName(),
                blob.contentId(),
                blob.contentUri(),
                blob.contentCreated(),
                blob.contentExpiration(),
                firstListed,
                handedOver,
                chain.records(),
                chain.bytes(),
                chain.hex(),
                chainFrom,
                reason == null ? LedgerEntry.Outcome.DELIVERED : LedgerEntry.Outcome.SKIPPED,
                reason,
                Math.max(0, elements - chainFrom - chain.records()));
    }
}
