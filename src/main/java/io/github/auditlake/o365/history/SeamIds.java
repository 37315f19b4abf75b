package io.github.auditlake.o365.history;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Matching by record {@code Id} at the seam between audit search (records created before the seam) and the
 * Management API (blobs created from the seam on). A blob holds records created before it, so blobs after the seam
 * carry some records audit search already gave. While audit search delivers, the Ids of its records created in
 * {@code [seam - lookback, seam)} are remembered; then a Management API record created before the seam is dropped
 * when its Id is remembered (a duplicate), and delivered otherwise (audit search did not have it: nothing is lost).
 * A record created before {@code seam - lookback} cannot be matched: it is delivered and counted as
 * {@link #unmatchedOld()}. Memory: one entry per remembered Id (about 100 bytes with the set's overhead). Not
 * thread-safe.
 */
public final class SeamIds {
    private final Instant seam;
    private final Instant from;
    private final Set<String> ids = new HashSet<>();
    private long duplicates;
    private long unmatchedOld;
    private long unmatchedRecent;

    public SeamIds(Instant seam, Duration lookback) {
        this.seam = Objects.requireNonNull(seam, "seam");
        this.from = seam.minus(Objects.requireNonNull(lookback, "lookback"));
    }

    public Instant seam() {
        return seam;
    }

    /** Audit search delivered {@code r}: remember its Id when it was created close before the seam. */
    public void delivered(HistoryRecord r) {
        if (!r.created().isBefore(from) && r.created().isBefore(seam)) {
            ids.add(r.id());
        }
    }

    /**
     * Whether a Management API record (its Id and creation time) was already delivered by audit search: true only
     * for a record created before the seam whose Id audit search gave. Counts what it decides.
     */
    public boolean isDuplicate(String id, Instant created) {
        if (created == null || !created.isBefore(seam)) {
            return false;
        }
        if (id != null && ids.contains(id)) {
            duplicates++;
            return true;
        }
        if (created.isBefore(from)) {
            unmatchedOld++;
        } else {
            unmatchedRecent++;
        }
        return false;
    }

    /** Ids remembered. */
    public int size() {
        return ids.size();
    }

    /** Management API records dropped as already delivered by audit search. */
    public long duplicates() {
        return duplicates;
    }

    /** Management API records created before {@code seam - lookback}: delivered, possibly a second time. */
    public long unmatchedOld() {
        return unmatchedOld;
    }

    /** Management API records created close before the seam that audit search did not give: delivered. */
    public long unmatchedRecent() {
        return unmatchedRecent;
    }
}
