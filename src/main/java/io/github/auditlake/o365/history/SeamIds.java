package io.github.auditlake.o365.history;

import java.time.Instant;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Matching by record {@code Id} at the seam between audit search (records created before the seam) and the
 * Management API (blobs created from the seam on). A blob holds records created before it, so the first blobs after
 * the seam carry some records that were created before the seam, which audit search gives too. The Management API
 * part is read first (its content expires within 7 days; audit search keeps its records for months): the Ids of its
 * records created before the seam are remembered, and an audit-search record whose Id is remembered is dropped as a
 * duplicate. Every other record is delivered, so nothing is lost. Memory: one entry per Management API record created
 * before the seam (records that blobs carry late: minutes' worth as a rule), about 100 bytes each. Not thread-safe.
 */
public final class SeamIds {
    private final Instant seam;
    private final Set<String> ids = new HashSet<>();
    private long duplicates;

    public SeamIds(Instant seam) {
        this.seam = Objects.requireNonNull(seam, "seam");
    }

    public Instant seam() {
        return seam;
    }

    /**
     * The Management API delivered a record (its Id and {@code CreationTime} as served): remembered when it was
     * created before the seam. A record whose time cannot be read is remembered too (it may be old).
     */
    public void listed(String id, String creationTime) {
        if (id == null) {
            return;
        }
        Instant created = OkHttpAuditSearchApi.parseTime(creationTime);
        if (created == null || created.isBefore(seam)) {
            ids.add(id);
        }
    }

    /** Whether audit search's {@code r} was already delivered by the Management API (counted when so). */
    public boolean isDuplicate(HistoryRecord r) {
        if (ids.contains(r.id())) {
            duplicates++;
            return true;
        }
        return false;
    }

    /** Ids remembered. */
    public int size() {
        return ids.size();
    }

    /** Audit-search records dropped as already delivered by the Management API. */
    public long duplicates() {
        return duplicates;
    }
}
