package io.github.auditlake.o365.api;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One audit record read from a blob: its exact original JSON text plus the few fields the connector needs.
 * Any of the extracted fields may be {@code null} when the record lacks them; {@code json} never is.
 *
 * <p>A record read from the service keeps the original UTF-8 bytes ({@link #fromUtf8}); its text is decoded only
 * when someone asks for it ({@link #json()}), so a consumer that wants bytes ({@link #utf8()}) never decodes and
 * encodes it again. Immutable (the arrays are never modified; callers must not modify them either).
 */
public final class AuditRecord {
    private final byte[] raw;
    private String json;
    private final String id;
    private final String creationTime;
    private final String workload;
    private final Integer recordType;
    private final String operation;
    private final String problem;
    /** The size in bytes of a record too large to read, else -1. */
    private final long tooLargeSize;

    /**
     * @param json         the record's original JSON text, byte-for-byte as served (re-encoded as a Java string)
     * @param id           the {@code Id} field (the de-duplication key)
     * @param creationTime the {@code CreationTime} field as written (UTC, usually without a zone designator)
     * @param workload     the {@code Workload} field
     * @param recordType   the {@code RecordType} field (unknown numbers are normal)
     * @param operation    the {@code Operation} field
     * @param problem      null for an audit record; otherwise why this element of the blob is not one (e.g. it is
     *                     not a JSON object), and {@code json} holds its raw text
     */
    public AuditRecord(
            String json,
            String id,
            String creationTime,
            String workload,
            Integer recordType,
            String operation,
            String problem) {
        this(
                null,
                Objects.requireNonNull(json, "json"),
                id,
                creationTime,
                workload,
                recordType,
                operation,
                problem,
                -1);
    }

    public AuditRecord(
            String json, String id, String creationTime, String workload, Integer recordType, String operation) {
        this(json, id, creationTime, workload, recordType, operation, null);
    }

    private AuditRecord(
            byte[] raw,
            String json,
            String id,
            String creationTime,
            String workload,
            Integer recordType,
            String operation,
            String problem,
            long tooLargeSize) {
        this.raw = raw;
        this.json = json;
        this.id = id;
        this.creationTime = creationTime;
        this.workload = workload;
        this.recordType = recordType;
        this.operation = operation;
        this.problem = problem;
        this.tooLargeSize = tooLargeSize;
    }

    /** An audit record from its original UTF-8 bytes (kept as they are; decoded only on demand). */
    public static AuditRecord fromUtf8(
            byte[] utf8, String id, String creationTime, String workload, Integer recordType, String operation) {
        return new AuditRecord(
                Objects.requireNonNull(utf8, "utf8"),
                null,
                id,
                creationTime,
                workload,
                recordType,
                operation,
                null,
                -1);
    }

    /** An element of a blob that is not an audit record, kept as raw text for the skips topic. */
    public static AuditRecord notARecord(String rawText, String problem) {
        return new AuditRecord(rawText, null, null, null, null, null, Objects.requireNonNull(problem, "problem"));
    }

    /**
     * An element of a blob larger than the record size limit, which was counted but not read: it has no text
     * ({@link #json()} is empty), only the {@code Id} found before the limit (or null) and its size.
     *
     * @param size the element's exact size in UTF-8 bytes
     */
    public static AuditRecord tooLarge(String id, long size, String problem) {
        return new AuditRecord(null, "", id, null, null, null, null, Objects.requireNonNull(problem, "problem"), size);
    }

    /** True for an element that was too large to read ({@link #tooLarge}): its text is not available. */
    public boolean isTooLarge() {
        return tooLargeSize >= 0;
    }

    /**
     * The element's size as served: the UTF-8 bytes of a record too large to read, else {@link #textLength()}.
     */
    public long size() {
        return tooLargeSize >= 0 ? tooLargeSize : textLength();
    }

    /** The original JSON text (decoded from the original bytes on first use). */
    public String json() {
        String s = json;
        if (s == null) {
            s = new String(raw, StandardCharsets.UTF_8);
            json = s; // a benign race: every thread computes the same immutable String
        }
        return s;
    }

    /** The original JSON as UTF-8: the bytes as served when the record was read from them, else the text encoded. */
    public byte[] utf8() {
        return raw != null ? raw : json.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The size of the original text, fixed for this record: UTF-8 bytes when it was read from bytes, else
     * characters (for ASCII, the usual case, the two are equal).
     */
    public int textLength() {
        return raw != null ? raw.length : json.length();
    }

    /** The exact UTF-8 size when known without encoding, else -1. */
    public int utf8LengthIfKnown() {
        return raw != null ? raw.length : -1;
    }

    /**
     * True when the record's UTF-8 JSON is larger than {@code maxBytes}: it goes to the skips topic, not the audit
     * topic (the reader drops such records as they stream past; this also catches records made from text). Encodes
     * the text only when its length alone cannot decide.
     */
    public boolean exceeds(int maxBytes) {
        if (raw != null) {
            return raw.length > maxBytes;
        }
        return json.length() > maxBytes
                || 3L * json.length() > maxBytes && json.getBytes(StandardCharsets.UTF_8).length > maxBytes;
    }

    public String id() {
        return id;
    }

    public String creationTime() {
        return creationTime;
    }

    public String workload() {
        return workload;
    }

    public Integer recordType() {
        return recordType;
    }

    public String operation() {
        return operation;
    }

    public String problem() {
        return problem;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuditRecord r
                && json().equals(r.json())
                && Objects.equals(id, r.id)
                && Objects.equals(creationTime, r.creationTime)
                && Objects.equals(workload, r.workload)
                && Objects.equals(recordType, r.recordType)
                && Objects.equals(operation, r.operation)
                && Objects.equals(problem, r.problem)
                && tooLargeSize == r.tooLargeSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(json(), id, creationTime, workload, recordType, operation, problem);
    }

    @Override
    public String toString() {
        return "AuditRecord[json=" + json() + ", id=" + id + ", creationTime=" + creationTime + ", workload=" + workload
                + ", recordType=" + recordType + ", operation=" + operation + ", problem=" + problem + "]";
    }
}
