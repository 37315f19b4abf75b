package io.github.auditlake.o365.settings;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.cursor.WindowPlanner;
import io.github.auditlake.o365.engine.EngineSettings;
import io.github.auditlake.o365.history.HistorySettings;
import io.github.auditlake.o365.settings.Setting.Importance;
import io.github.auditlake.o365.settings.Setting.Width;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** The {@link Group#COLLECTION} settings: what to collect, how often, and how much to hold. One row per setting; its place here is its order. */
public final class CollectionSettings {
    /** Distance kept from the API's 7-day listing limit (its clock and ours may differ by minutes). */
    public static final Duration RETENTION_MARGIN = Duration.ofMinutes(15);
    /** Where a new stream starts by default: as far back as the API keeps, less the margin. */
    public static final Duration INITIAL_LOOKBACK_DEFAULT = WindowPlanner.API_RETENTION.minus(RETENTION_MARGIN);

    private static final Group G = Group.COLLECTION;

    public static final Setting<List<String>> CONTENT_TYPES = Setting.list(
                    G,
                    "o365.content.types",
                    Arrays.stream(ContentType.values())
                            .map(ContentType::wireName)
                            .toList())
            .valid(new Validity.ContentTypes())
            .importance(Importance.HIGH)
            .width(Width.LONG)
            .display("Content types")
            .doc("Content types to collect; each is one stream (one source partition). "
                    + "Any of Audit.AzureActiveDirectory, Audit.Exchange, Audit.SharePoint, Audit.General, DLP.All.");

    public static final Setting<Long> INITIAL_LOOKBACK_MS = Setting.longValue(
                    G, "o365.initial.lookback.ms", INITIAL_LOOKBACK_DEFAULT.toMillis())
            .range(0, WindowPlanner.API_RETENTION.toMillis())
            .importance(Importance.MEDIUM)
            .width(Width.SHORT)
            .display("Initial lookback (ms)")
            .doc("Where a stream without a stored position (first start, or after "
                    + "an offset reset) begins: now minus this. The default is the 7 days the API keeps, less 15 minutes "
                    + "of safety margin; the maximum is 7 days.");

    public static final Setting<String> HISTORY_START = Setting.string(G, "o365.history.start", "")
            .importance(Importance.MEDIUM)
            .width(Width.MEDIUM)
            .display("History start")
            .doc("History beyond the Management API's 7 days, read through Microsoft Graph's audit search: an ISO date "
                    + "(2026-09-01, midnight UTC), an ISO instant (2026-09-01T00:00:00Z) or an ISO duration back from "
                    + "now (P90D, PT36H, P3M). Empty (the default) turns it off. A stream without a stored position (first "
                    + "start, or after an offset reset) first reads, through audit search, the part from this start that "
                    + "the Management API can no longer list, then goes on with the Management API from a seam about 7 "
                    + "days back; a stream with a stored position never reads history. Needs the application permission "
                    + "AuditLogsQuery.Read.All on Microsoft Graph; the commercial and GCC clouds only. Reaches as far "
                    + "back as the tenant's audit retention (180 days standard).");

    public static final Setting<Integer> HISTORY_QUERIES_PER_DAY = Setting.integer(
                    G, "o365.history.queries.per.day", HistorySettings.DEFAULT_QUERIES_PER_DAY)
            .range(1, 10_000)
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("History queries per day")
            .doc("Audit-search query submissions per tenant in any 24 hours, while history is read (the "
                    + "service allows about 200 per tenant, shared with every other tool of the tenant). Each stream "
                    + "submits its own queries; a task gets the share of its tenant's streams it holds (at least 1), "
                    + "so the tasks of a tenant together stay within it.");

    public static final Setting<Long> POLL_INTERVAL_MS = Setting.longValue(
                    G, "o365.poll.interval.ms", EngineSettings.DEFAULT_POLL_INTERVAL.toMillis())
            .range(100, Duration.ofHours(1).toMillis())
            .importance(Importance.MEDIUM)
            .width(Width.SHORT)
            .display("Poll interval (ms)")
            .doc("Time between listings of a stream once it has caught up with now. "
                    + "Each listing costs one request per stream plus one per page.");

    public static final Setting<Long> POLL_IDLE_MAX_MS = Setting.longValue(
                    G, "o365.poll.idle.max.ms", EngineSettings.DEFAULT_IDLE_POLL_MAX.toMillis())
            .range(0, Duration.ofHours(1).toMillis())
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("Idle poll interval, longest (ms)")
            .doc("Longest time between listings of a caught-up stream whose listings find nothing (an idle tenant). "
                    + "From the second listing in a row that finds no blob the wait doubles, from o365.poll.interval.ms "
                    + "up to this; the first blob found brings it back to the poll interval. A stream still lists when "
                    + "its day sweep is due (o365.straggler.sweep.interval.ms), so stragglers are found as soon as "
                    + "without it and a value above the sweep interval acts as the sweep interval. 180000 (3 minutes) "
                    + "cuts an idle tenant's listings from 300 to about 100 an hour, for hundreds of quiet tenants; new "
                    + "content of an idle stream is then listed up to that long after it became visible. 0 (the "
                    + "default), or any value at or below the poll interval: no backoff.");

    public static final Setting<Long> WINDOW_MAX_MS = Setting.longValue(
                    G, "o365.window.max.ms", Duration.ofHours(1).toMillis())
            .range(60_000, WindowPlanner.MAX_STEP.toMillis())
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("Window size (ms)")
            .doc("Largest step the frontier listing window advances while catching up (at "
                    + "most 23 hours: each listing also re-lists the most recent hour, and the API lists at most 24 hours at "
                    + "once).");

    public static final Setting<Long> COVERAGE_MS = Setting.longValue(
                    G, "o365.straggler.coverage.ms", Duration.ofHours(24).toMillis())
            .range(
                    WindowPlanner.MIN_COVERAGE.toMillis(),
                    WindowPlanner.maxCoverage(RETENTION_MARGIN).toMillis())
            .importance(Importance.MEDIUM)
            .width(Width.SHORT)
            .display("Straggler coverage (ms)")
            .doc("How late a content blob may become visible, after its contentCreated, and "
                    + "still be delivered (exactly once). Microsoft documents that blobs appear out of order and late: core "
                    + "services typically after 60-90 minutes, other workloads later, and after incidents some records 3-5 "
                    + "days late. The most recent hour is re-listed with every listing, the last 24 hours every "
                    + "o365.straggler.sweep.interval.ms, older spans up to this coverage four times less often (at most "
                    + "every 30 minutes), in listings of at most 24 hours. The offset remembers the blobs delivered within the coverage (about 8 bytes each). "
                    + "Up to 7 days minus 15 minutes (the API's retention).");

    public static final Setting<Long> SWEEP_INTERVAL_MS = Setting.longValue(
                    G, "o365.straggler.sweep.interval.ms", WindowPlanner.DEFAULT_SWEEP_INTERVAL.toMillis())
            .range(1000, Duration.ofHours(6).toMillis())
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("Straggler sweep interval (ms)")
            .doc("Time between sweeps of the last 24 hours for blobs that became "
                    + "visible late (a sweep lists the span again and delivers only blobs not delivered yet; it costs one "
                    + "request per 600 blobs of the span, and nothing extra while the span fits in the page the frontier "
                    + "listing costs anyway: the two are one listing). With the default and the default poll interval, a "
                    + "blob up to a day late is delivered within about 5 minutes of becoming visible. Spans older than 24 "
                    + "hours (when o365.straggler.coverage.ms exceeds a day) are swept four times less often, and at most "
                    + "every 30 minutes.");

    public static final Setting<Boolean> MANAGE_SUBSCRIPTIONS = Setting.bool(
                    G, "o365.subscriptions.manage.enabled", true)
            .importance(Importance.MEDIUM)
            .width(Width.SHORT)
            .display("Manage subscriptions")
            .doc(
                    "Start missing or disabled subscriptions (at start-up and when "
                            + "the API reports AF20022/AF20023), at most once per 15 minutes per content type. Disable it when "
                            + "subscriptions are managed elsewhere; the task then fails with a clear error if one is not enabled.");

    public static final Setting<Integer> FETCH_CONCURRENCY = Setting.integer(
                    G, "o365.fetch.concurrency", EngineSettings.DEFAULT_FETCH_CONCURRENCY)
            .range(1, 64)
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("Fetch concurrency")
            .doc("Blobs a task fetches ahead at once, besides each stream's "
                    + "current blob (which always has its own fetch). Records are still emitted in order per stream.");

    public static final Setting<Integer> STREAM_THREADS = Setting.integer(
                    G, "o365.stream.threads", EngineSettings.DEFAULT_STREAM_THREADS)
            .range(1, 256)
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("Stream threads")
            .doc("Threads per task that run the streams' collection rounds (list a window, deliver its blobs), "
                    + "whatever the number of streams: a caught-up stream holds no thread while it waits for its next "
                    + "listing, so hundreds of tenants share these. A task's threads are this, plus this plus "
                    + "o365.fetch.concurrency fetch threads, plus one timer. Raise it when many tenants are busy at "
                    + "once (a stream retrying a failed call keeps its thread while it waits).");

    public static final Setting<Long> BUFFER_MAX_BYTES = Setting.longValue(
                    G, "o365.buffer.max.bytes", EngineSettings.DEFAULT_BUFFER_MAX_BYTES)
            .range(1024 * 1024, 4L * 1024 * 1024 * 1024)
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("Worker-wide buffer size (bytes)")
            .doc(
                    "Approximate heap bytes that all tasks of this plugin in one worker "
                            + "JVM may hold together in records not yet acknowledged by the broker: blobs fetched ahead, each "
                            + "stream's current blob, the records waiting for poll() and those in the worker's pipeline, whatever "
                            + "the blob sizes (a blob is streamed, never held whole). One "
                            + "budget per worker, shared fairly by the tasks that use it; when tasks were started with different "
                            + "values, the largest applies. Each stream may exceed it by two records, so every stream progresses.");

    public static final Setting<Long> HEARTBEAT_INTERVAL_MS = Setting.longValue(
                    G, "o365.heartbeat.interval.ms", EngineSettings.DEFAULT_HEARTBEAT_INTERVAL.toMillis())
            .valid(Validity.Range.atLeast(0))
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("Heartbeat interval (ms)")
            .doc("Kafka Connect stores a source position only with a record. "
                    + "When a stream progresses without records (empty windows), a small heartbeat record is written to "
                    + "o365.heartbeat.topic at most this often, so a restart does not re-list those windows. 0 disables "
                    + "heartbeats (a restart then re-lists from the last record).");

    public static final Setting<String> HEARTBEAT_TOPIC = Setting.string(
                    G, "o365.heartbeat.topic", "o365-audit-heartbeats")
            .valid(new Validity.NonEmpty())
            .importance(Importance.LOW)
            .width(Width.MEDIUM)
            .display("Heartbeat topic")
            .doc("Topic of heartbeat records (never an audit topic). Key: the stream; "
                    + "value: a small JSON document with the stream's position. It must exist, or Connect must be allowed to "
                    + "create it (topic.creation.default.replication.factor and .partitions in the connector config): "
                    + "otherwise the task's producer waits for it and then fails.");

    public static final Setting<String> SKIPS_TOPIC = Setting.string(G, "o365.skips.topic", "o365-audit-skips")
            .valid(new Validity.NonEmpty())
            .importance(Importance.MEDIUM)
            .width(Width.MEDIUM)
            .display("Skips topic")
            .doc(
                    "Topic of what could not be delivered as it is, so nothing is only logged: a "
                            + "blob the service says is gone or expired (stream, contentId, contentUri, contentExpiration, reason, "
                            + "records delivered before the skip), and a blob element that is not an audit record or a record larger "
                            + "than o365.record.max.bytes (its raw text when it fits, else its Id and size). Key: the content id. "
                            + "Never an audit topic. Like the heartbeat topic, it must exist or Connect must be allowed to create it.");

    public static final Setting<Integer> RECORD_MAX_BYTES = Setting.integer(G, "o365.record.max.bytes", 1_000_000)
            .range(1024, Integer.MAX_VALUE)
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("Record size limit")
            .doc("Largest audit record (UTF-8 bytes of its JSON) sent to the audit "
                    + "topic; a larger one is counted and skipped while it is read, never held in memory, and goes to the "
                    + "skips topic (with its Id and size) instead of failing the task. Keep it below "
                    + "the producer's max.request.size (1048576 by default; raise both with producer.override.max.request.size "
                    + "and the topic's max.message.bytes for very large records).");

    public static final Setting<Integer> BATCH_MAX_RECORDS = Setting.integer(G, "o365.batch.max.records", 2000)
            .range(1, 100_000)
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("Batch size")
            .doc("Most records returned by one poll().");

    public static final Setting<Integer> TRANSACTION_MAX_RECORDS = Setting.integer(
                    G, "o365.transaction.max.records", 10_000)
            .range(1, 1_000_000)
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("Transaction size")
            .doc("With exactly-once and transaction.boundary=connector: "
                    + "transactions end at blob boundaries, or after this many records inside a large blob.");

    /** This group's settings, in their order in the group. */
    public static final List<Setting<?>> ALL = List.of(
            CONTENT_TYPES,
            INITIAL_LOOKBACK_MS,
            HISTORY_START,
            HISTORY_QUERIES_PER_DAY,
            POLL_INTERVAL_MS,
            POLL_IDLE_MAX_MS,
            WINDOW_MAX_MS,
            COVERAGE_MS,
            SWEEP_INTERVAL_MS,
            MANAGE_SUBSCRIPTIONS,
            FETCH_CONCURRENCY,
            STREAM_THREADS,
            BUFFER_MAX_BYTES,
            HEARTBEAT_INTERVAL_MS,
            HEARTBEAT_TOPIC,
            SKIPS_TOPIC,
            RECORD_MAX_BYTES,
            BATCH_MAX_RECORDS,
            TRANSACTION_MAX_RECORDS);

    private CollectionSettings() {}
}
