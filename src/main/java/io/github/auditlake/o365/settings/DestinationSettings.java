package io.github.auditlake.o365.settings;

import io.github.auditlake.o365.engine.health.HealthSettings;
import io.github.auditlake.o365.settings.Setting.Importance;
import io.github.auditlake.o365.settings.Setting.Width;
import java.util.List;

/** The {@link Group#DESTINATION} settings: where records go and in what form. One row per setting; its place here is its order. */
public final class DestinationSettings {
    /** The header names (without the {@code o365.} prefix) a record may carry. */
    public static final List<String> HEADER_NAMES = List.of(
            "tenant",
            "content.type",
            "content.id",
            "content.created",
            "record.index",
            "workload",
            "record.type",
            "operation",
            "record.type.name");

    /** The headers a record carries by default: all but {@code record.type.name} (added later, off by default). */
    public static final List<String> DEFAULT_HEADER_NAMES = HEADER_NAMES.subList(0, 8);

    private static final Group G = Group.DESTINATION;

    public static final Setting<String> TOPIC = Setting.string(G, "topic", "o365-audit")
            .valid(new Validity.NonEmpty())
            .importance(Importance.HIGH)
            .width(Width.MEDIUM)
            .display("Topic")
            .doc("Destination topic. '${contentType}' is replaced by the lower-cased content "
                    + "type (audit.azureactivedirectory, audit.exchange, audit.sharepoint, audit.general, dlp.all) and "
                    + "'${tenant}' by the tenant id; e.g. 'o365.${contentType}' gives one topic per content type.");

    public static final Setting<String> VALUE_FORMAT = Setting.string(
                    G, "o365.value.format", ValueFormat.JSON_STRING.configName())
            .valid(new Validity.OneOf(ValueFormat.configNames(), true))
            .importance(Importance.MEDIUM)
            .width(Width.SHORT)
            .display("Value format")
            .doc("The record value: 'json-string' (the original JSON text with a string "
                    + "schema, for SIEMs; use StringConverter), 'json-bytes' (the original JSON as UTF-8 bytes with a bytes "
                    + "schema: nothing is decoded and encoded again; fastest with ByteArrayConverter), or 'struct' (a Connect "
                    + "Struct of the Management API's common schema: Id, RecordType, CreationTime as a Timestamp, Operation, "
                    + "OrganizationId, UserType, UserKey, Workload, ResultStatus, ObjectId, UserId, ClientIP, Scope, and Raw "
                    + "holding the original JSON text; schema io.github.auditlake.o365.AuditRecord version 1; for SMTs, "
                    + "JsonConverter with schemas.enable, Schema Registry converters and table sinks), 'ecs' (Elastic Common "
                    + "Schema 8.17 JSON text with a string schema; every original field kept under o365.audit), or 'ocsf' (OCSF "
                    + "1.3.0 JSON text with a string schema, class by record family; the original record in raw_data). "
                    + "The key is the record Id and the headers are the same in every format; see docs/mappings.md.");

    public static final Setting<List<String>> HEADERS = Setting.list(G, "o365.headers", DEFAULT_HEADER_NAMES)
            .valid(new Validity.SubsetOf(HEADER_NAMES))
            .importance(Importance.LOW)
            .width(Width.LONG)
            .display("Headers")
            .doc("Headers added to every audit record (each prefixed with 'o365.'): any of "
                    + "tenant, content.type, content.id, content.created, record.index, workload, record.type, operation, "
                    + "record.type.name (the RecordType's name from the plugin's RecordType table, absent for a value the "
                    + "table does not know; not in the default); empty for none (fastest: header conversion is a per-record "
                    + "cost of the worker). record.index is the "
                    + "record's 0-based index within its content blob: with content.id, it places the record in the blob's "
                    + "completeness-ledger chain (o365-audit verify --data needs both).");

    public static final Setting<String> LEDGER_TOPIC = Setting.string(G, "o365.ledger.topic", "")
            .importance(Importance.MEDIUM)
            .width(Width.MEDIUM)
            .display("Completeness ledger topic")
            .doc("Topic of the completeness ledger: one record per content blob that ended "
                    + "(delivered, or skipped as gone or expired), keyed tenant|contentType|contentId, with the blob's "
                    + "contentUri, contentCreated, contentExpiration, when it was first listed and handed over, the "
                    + "records delivered, their bytes and a SHA-256 chained over them in order, and how it ended. Written "
                    + "right after the blob's last record (with exactly-once, in the same transaction). o365-audit verify "
                    + "reads it. Empty (the default) turns the ledger off. Make it compacted: define a "
                    + "topic.creation group for it with cleanup.policy=compact (see the examples), or create it so. Never "
                    + "an audit topic.");

    public static final Setting<String> HEALTH_TOPIC = Setting.string(G, "o365.health.topic", "")
            .importance(Importance.MEDIUM)
            .width(Width.MEDIUM)
            .display("Health topic")
            .doc("Topic of health records (never an audit topic); empty (the default) publishes none. One record per "
                    + "change of state of a stream (tenant and content type: signing-in, subscribed, collecting, "
                    + "caught-up, lagging, throttled, stalled, disabled, permission-missing, sign-in-failed, audit-off, "
                    + "tenant-quiet, failed, history), per warning raised or cleared (credential-expiring, blob-expiry-risk, "
                    + "coverage-risk), per first sighting of schema drift on a stream (schema-drift), and a summary per "
                    + "task every o365.health.summary.interval.ms. Key: the stream (tenant|content type), the tenant of a credential warning, the task and content type of a coverage "
                    + "warning, or the task of a summary; value: a JSON document documented in docs/operations.md. It "
                    + "must exist, or Connect must be allowed to create it.");

    public static final Setting<Long> HEALTH_SUMMARY_INTERVAL_MS = Setting.longValue(
                    G, "o365.health.summary.interval.ms", HealthSettings.DEFAULT_SUMMARY_INTERVAL.toMillis())
            .valid(Validity.Range.atLeast(0))
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("Health summary interval (ms)")
            .doc("How often each task publishes a summary of its streams (state, lag, blobs listed and not yet "
                    + "delivered) and of each content type's lateness (count, p50, p90, p99, maximum) on "
                    + "o365.health.topic; 0 publishes none.");

    public static final Setting<Long> HEALTH_STALLED_AFTER_MS = Setting.longValue(
                    G, "o365.health.stalled.after.ms", HealthSettings.DEFAULT_STALLED_AFTER.toMillis())
            .valid(Validity.Range.atLeast(0))
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("Health: stalled after (ms)")
            .doc("A stream whose calls fail transiently (5xx, 408, connection errors) for this long is 'stalled' on "
                    + "the health topic (throttling shows as 'throttled' at once).");

    public static final Setting<Long> HEALTH_LAGGING_AFTER_MS = Setting.longValue(
                    G, "o365.health.lagging.after.ms", HealthSettings.DEFAULT_LAGGING_AFTER.toMillis())
            .valid(Validity.Range.atLeast(0))
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("Health: lagging after (ms)")
            .doc("A stream still catching up whose position is this far behind the service's time is 'lagging' on "
                    + "the health topic (else 'collecting').");

    public static final Setting<Long> HEALTH_QUIET_AFTER_MS = Setting.longValue(
                    G, "o365.health.quiet.after.ms", HealthSettings.DEFAULT_QUIET_AFTER.toMillis())
            .valid(Validity.Range.atLeast(0))
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("Health: quiet after (ms)")
            .doc("A caught-up stream that listed no content for this long is 'tenant-quiet' on the health topic "
                    + "(nothing happened, or auditing was turned off after the subscription started: the API does not "
                    + "tell them apart); 0 never reports it.");

    public static final Setting<Long> HEALTH_CREDENTIAL_WARNING_MS = Setting.longValue(
                    G, "o365.health.credential.warning.ms", HealthSettings.DEFAULT_CREDENTIAL_WARNING.toMillis())
            .valid(Validity.Range.atLeast(0))
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("Health: credential warning (ms)")
            .doc("A client certificate whose notAfter is closer than this raises a 'credential-expiring' warning on "
                    + "the health topic (read again every minute, so a renewed file clears it).");

    public static final Setting<Long> HEALTH_EXPIRY_MARGIN_MS = Setting.longValue(
                    G, "o365.health.expiry.margin.ms", HealthSettings.DEFAULT_EXPIRY_MARGIN.toMillis())
            .valid(Validity.Range.atLeast(0))
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("Health: blob expiry margin (ms)")
            .doc("A blob listed and not yet delivered this close to its contentExpiration raises a 'blob-expiry-risk' "
                    + "warning on the health topic; a blob delivered this close to it is logged (one WARN line) and "
                    + "counted in blob-expiry-risks-total.");

    /** This group's settings, in their order in the group. */
    public static final List<Setting<?>> ALL = List.of(
            TOPIC,
            VALUE_FORMAT,
            HEADERS,
            LEDGER_TOPIC,
            HEALTH_TOPIC,
            HEALTH_SUMMARY_INTERVAL_MS,
            HEALTH_STALLED_AFTER_MS,
            HEALTH_LAGGING_AFTER_MS,
            HEALTH_QUIET_AFTER_MS,
            HEALTH_CREDENTIAL_WARNING_MS,
            HEALTH_EXPIRY_MARGIN_MS);

    private DestinationSettings() {}
}
