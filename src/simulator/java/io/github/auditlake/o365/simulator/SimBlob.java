package io.github.auditlake.o365.simulator;

import io.github.auditlake.o365.api.ContentType;
import java.time.Instant;
import java.util.List;

/**
 * One content blob of the simulator: immutable, its body is regenerated on demand from {@code seed} (scheduled
 * blobs) or is the given list of record JSON texts (explicit blobs added with
 * {@link ManagementApiSimulator#addBlob}). It is listed once the clock reaches {@link #visibleAt()}.
 */
public final class SimBlob {

    private final String tenantId;
    private final ContentType type;
    private final String contentId;
    private final Instant contentCreated;
    private final Instant visibleAt;
    private final Instant contentExpiration;
    private final int recordCount;
    final long seed;
    final int recordBytes;
    /** The first {@code dupCount} records are copies of records of {@code dupSource}. */
    final SimBlob dupSource;

    final int dupCount;
    /** Explicit records (verbatim JSON objects) or null for generated blobs. */
    final List<String> explicitRecords;

    final List<String> explicitIds;
    /** Sort key for listings and paging tokens: "createdStamp$firstStamp$region". */
    final String sortKey;

    SimBlob(
            String tenantId,
            ContentType type,
            String contentId,
            Instant contentCreated,
            Instant visibleAt,
            Instant contentExpiration,
            int recordCount,
            long seed,
            int recordBytes,
            SimBlob dupSource,
            int dupCount,
            List<String> explicitRecords,
            List<String> explicitIds) {
        this.tenantId = tenantId;
        this.type = type;
        this.contentId = contentId;
        this.contentCreated = contentCreated;
        this.visibleAt = visibleAt;
        this.contentExpiration = contentExpiration;
        this.recordCount = recordCount;
        this.seed = seed;
        this.recordBytes = recordBytes;
        this.dupSource = dupSource;
        this.dupCount = dupCount;
        this.explicitRecords = explicitRecords;
        this.explicitIds = explicitIds;
        String[] parts = contentId.split("\\$");
        this.sortKey = parts[1] + "$" + parts[0] + "$" + parts[parts.length - 1];
    }

    public String tenantId() {
        return tenantId;
    }

    public ContentType type() {
        return type;
    }

    public String contentId() {
        return contentId;
    }

    public Instant contentCreated() {
        return contentCreated;
    }

    /** When the blob starts to be listed (equal to contentCreated except for late blobs). */
    public Instant visibleAt() {
        return visibleAt;
    }

    public Instant contentExpiration() {
        return contentExpiration;
    }

    public int recordCount() {
        return recordCount;
    }

    /** Record Ids in body order (duplicates included). */
    public List<String> recordIds() {
        if (explicitIds != null) {
            return explicitIds;
        }
        String[] ids = new String[recordCount];
        for (int i = 0; i < recordCount; i++) {
            ids[i] = RecordGenerator.recordId(this, i);
        }
        return List.of(ids);
    }

    @Override
    public String toString() {
        return "SimBlob[" + contentId + ", created=" + contentCreated + ", visibleAt=" + visibleAt + ", records="
                + recordCount + "]";
    }
}
