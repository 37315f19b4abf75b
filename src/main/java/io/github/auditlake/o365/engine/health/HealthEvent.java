package io.github.auditlake.o365.engine.health;

import io.github.auditlake.o365.cursor.StreamId;
import java.time.Instant;
import java.util.Map;

/**
 * One record of the health topic, before it is written: a stream's change of state, a warning raised or cleared, or
 * a task's periodic summary. docs/operations.md ("Health topic") documents the fields.
 *
 * @param kind          {@link Kind}
 * @param stream        the stream it is about, or null (a credential warning names a tenant; a coverage warning a
 *                      task's content type; a summary a task)
 * @param key           the record key: {@link StreamId#encode()} for a stream, else what it is about
 * @param tenant        the tenant, or null for a summary
 * @param contentType   the content type's wire name, or null (a credential warning, a summary)
 * @param state         the new state, the warning's name, or {@code summary}
 * @param previousState the state before, or null (a first state, a new warning)
 * @param since         when the state began or the warning was raised
 * @param message       for a person: what it means and what to do
 * @param details       per state: fixed names documented in docs/operations.md (values: String, Number, Boolean, or
 *                      nested maps and lists of them)
 */
public record HealthEvent(
        Kind kind,
        StreamId stream,
        String key,
        String tenant,
        String contentType,
        String state,
        String previousState,
        Instant since,
        String message,
        Map<String, Object> details) {

    /** An event about {@code stream} (or about none): its content type is the stream's. */
    public HealthEvent(
            Kind kind,
            StreamId stream,
            String key,
            String tenant,
            String state,
            String previousState,
            Instant since,
            String message,
            Map<String, Object> details) {
        this(
                kind,
                stream,
                key,
                tenant,
                stream == null ? null : stream.contentType().wireName(),
                state,
                previousState,
                since,
                message,
                details);
    }

    /** What a health record is. */
    public enum Kind {
        /** A stream changed state. */
        STATE("state"),
        /** A warning with a time was raised or (state {@code cleared}) cleared. */
        WARNING("warning"),
        /** A task's periodic summary of its streams. */
        SUMMARY("summary"),
        /** A stream sent, for the first time since the task started, something the mapping tables do not know. */
        SCHEMA_DRIFT("schema-drift");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }
}
