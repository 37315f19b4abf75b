package io.github.auditlake.o365.records;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.auditlake.o365.engine.health.HealthEvent;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Turns {@link HealthEvent}s into records of the health topic: key = the stream ({@code tenant|contentType}), the
 * tenant (a credential warning) or the task (a summary); value = a JSON document with fixed fields (docs/operations.md,
 * "Health topic"): {@code kind, key, tenant, contentType, state, previousState, since, message, details}.
 *
 * <p>A health record never moves a stream's position: it carries the position last handed to Connect for its stream
 * (so it re-commits what was already delivered), or, when there is none, no source partition and no offset at all. A
 * {@code null} offset with a stream's partition would be a tombstone that resets the stream, so that is never written.
 */
public final class HealthMapper {
    public static final String HEADER_HEALTH_KIND = "o365.health.kind";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String topic;

    public HealthMapper(String topic) {
        this.topic = topic;
    }

    public String topic() {
        return topic;
    }

    /**
     * @param partition the source partition to carry (the stream's), or null
     * @param offset    the offset last handed to Connect for that partition, or null (then {@code partition} must be
     *                  null too)
     */
    public SourceRecord toRecord(HealthEvent e, Map<String, ?> partition, Map<String, ?> offset) {
        if (offset == null) {
            partition = null;
        }
        ConnectHeaders h = new ConnectHeaders();
        h.addString(HEADER_HEALTH_KIND, e.kind().wireName());
        if (e.tenant() != null) {
            h.addString(RecordMapper.HEADER_TENANT, e.tenant());
        }
        if (e.contentType() != null) {
            h.addString(RecordMapper.HEADER_CONTENT_TYPE, e.contentType());
        }
        return new SourceRecord(
                partition,
                offset,
                topic,
                null,
                Schema.STRING_SCHEMA,
                e.key(),
                Schema.STRING_SCHEMA,
                json(e),
                e.since().toEpochMilli(),
                h);
    }

    /** The record's value. */
    public static String json(HealthEvent e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("kind", e.kind().wireName());
        n.put("key", e.key());
        n.put("tenant", e.tenant());
        n.put("contentType", e.contentType());
        n.put("state", e.state());
        n.put("previousState", e.previousState());
        n.put("since", e.since().toString());
        n.put("message", e.message());
        n.set("details", JSON.valueToTree(e.details()));
        return n.toString();
    }
}
