package io.github.auditlake.o365;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.Sleeper;
import io.github.auditlake.o365.api.Version;
import io.github.auditlake.o365.config.ApiFactory;
import io.github.auditlake.o365.config.DefaultApiFactory;
import io.github.auditlake.o365.config.O365SourceTaskConfig;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.engine.CollectionEngine;
import io.github.auditlake.o365.engine.Emission;
import io.github.auditlake.o365.engine.EngineSettings;
import io.github.auditlake.o365.engine.MemoryBudget;
import io.github.auditlake.o365.engine.health.HealthEvent;
import io.github.auditlake.o365.engine.health.HealthMonitor;
import io.github.auditlake.o365.mapping.DriftRadar;
import io.github.auditlake.o365.metrics.EngineMetrics;
import io.github.auditlake.o365.records.HealthMapper;
import io.github.auditlake.o365.records.RecordEnrichment;
import io.github.auditlake.o365.records.RecordMapper;
import io.github.auditlake.o365.records.TaskMetrics;
import io.github.auditlake.o365.settings.EngineMapping;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.apache.kafka.connect.source.TransactionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Glue: runs a {@link CollectionEngine} for the task's streams and hands its records to Connect. */
public class O365AuditSourceTask extends SourceTask {
    private static final Logger log = LoggerFactory.getLogger(O365AuditSourceTask.class);
    static final Duration POLL_WAIT = Duration.ofSeconds(1);
    static final Duration SUMMARY_INTERVAL = Duration.ofMinutes(1);
    /**
     * With connector-defined transactions, a blob that stalls this long ends the open transaction at its last
     * delivered record (well inside the producer's 60 s default transaction.timeout.ms).
     */
    static final Duration STALL_COMMIT_AFTER = Duration.ofSeconds(10);
    /** A stored or edited high watermark may be this far ahead of the worker's clock (a clock behind). */
    public static final Duration PLAUSIBLE_FUTURE = Duration.ofDays(1);

    private final ApiFactory apiFactory;
    private final Clock clock;
    private final Sleeper sleeper;

    private O365AuditSourceTaskState state;

    public O365AuditSourceTask() {
        this(new DefaultApiFactory(), Clock.systemUTC(), Sleeper.SYSTEM);
    }

    /** For tests: an injected API, clock and sleeper. */
    O365AuditSourceTask(ApiFactory apiFactory, Clock clock, Sleeper sleeper) {
        this.apiFactory = apiFactory;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        O365SourceTaskConfig config = new O365SourceTaskConfig(props);
        List<StreamId> streams = config.assignedStreams();
        Map<StreamId, Map<String, ?>> storedOffsets = new HashMap<>();
        Map<StreamId, StreamCursor> positions = readPositions(streams, storedOffsets);
        // one client per tenant: its own token, and its own share of that tenant's request budget
        Map<String, ManagementApi> apis = new java.util.LinkedHashMap<>();
        for (StreamId s : streams) {
            apis.computeIfAbsent(
                    s.tenantId(), t -> apiFactory.create(config, t, config.requestsPerMinuteFor(t), false));
        }
        TransactionContext tx = context.transactionContext();
        EngineSettings settings = EngineMapping.from(config)
                .stallCommitAfter(tx == null ? Duration.ZERO : STALL_COMMIT_AFTER)
                .ledger(config.ledgerTopic() != null)
                .isolateFailures(config.tenants().size() > 1)
                .build();
        EngineMetrics metrics = new EngineMetrics();
        TaskMetrics.register(context, metrics, clock);
        // one budget for all tasks of this plugin in the worker JVM (they share the plugin's class loader)
        MemoryBudget budget = MemoryBudget.workerWide(config.bufferMaxBytes());
        TaskMetrics.registerBudget(context, budget);
        CollectionEngine engine = new CollectionEngine(
                streams, apis::get, positions, settings, clock, sleeper, new Random(), metrics, budget);
        // a record stays in the budget until Connect is done with it (commitRecord: acknowledged or dropped), so
        // the records in the worker's pipeline and producer count too
        engine.releaseOnlyWhenReleased();
        if (config.valueFormat() != RecordMapper.ValueFormat.JSON_BYTES) {
            engine.decodeTextWhileFetching(); // the value is text: decode it off the task thread
        }
        TaskMetrics.registerTenants(context, metrics, apis.keySet());
        HealthMonitor health = new HealthMonitor(streams, EngineMapping.health(config), clock, config.taskKey());
        // schema drift: logged once per new value and stream, and queued for the health topic (the radar runs on the
        // task thread while mapping records; the monitor is thread-safe and poll() drains it after the batch)
        DriftRadar drift = new DriftRadar(e -> driftSeen(health, e));
        TaskMetrics.registerDrift(context, drift, streams);
        for (String tenant : apis.keySet()) {
            health.credential(tenant, apiFactory.credentialExpiry(config));
        }
        health.lateness(
                metrics::latenessSnapshots, EngineMapping.planner(config).coverage());
        engine.reportHealthTo(health);
        readHistory(config, engine);
        TaskMetrics.registerHealth(context, health, streams);
        TaskMetrics.registerContentTypes(
                context,
                metrics,
                streams.stream().map(s -> s.contentType().wireName()).distinct().toList());
        state = new O365AuditSourceTaskState(
                config,
                List.copyOf(apis.values()),
                engine,
                new RecordMapper(
                                config.topicTemplate(),
                                config.heartbeatTopic(),
                                config.skipsTopic(),
                                config.recordMaxBytes(),
                                metrics)
                        .withFormat(config.valueFormat(), config.headers())
                        .withLedger(config.ledgerTopic())
                        .withDrift(drift),
                tx,
                health,
                config.healthTopic() == null ? null : new HealthMapper(config.healthTopic()),
                storedOffsets);
        if (config.enrichEnabled()) {
            Map<String, io.github.auditlake.o365.enrich.Enricher> enrichers = new java.util.LinkedHashMap<>();
            for (String tenant : apis.keySet()) {
                apiFactory
                        .directory(config, tenant, false)
                        .ifPresent(dir -> enrichers.put(
                                tenant,
                                new io.github.auditlake.o365.enrich.Enricher(config.enrichSettings(), dir, clock)));
            }
            state.enrichment = new RecordEnrichment(enrichers);
            TaskMetrics.registerEnrichment(context, state.enrichment);
            log.info(
                    "Graph enrichment on for tenants {} (fields {}, types {}, bound {} ms a batch)",
                    enrichers.keySet(),
                    config.enrichSettings().fields(),
                    config.enrichSettings().kinds(),
                    config.enrichSettings().timeout().toMillis());
        }
        log.info(
                "Task starting for streams {} (exactly-once transaction boundaries: {}; completeness ledger: {})",
                streams,
                tx == null ? "set by the worker" : "at blob boundaries",
                config.ledgerTopic() == null ? "off" : config.ledgerTopic());
        engine.start();
    }

    /** One new value of the schema-drift radar: logged, and queued as a {@code schema-drift} health record. */
    static void driftSeen(HealthMonitor health, DriftRadar.Event e) {
        log.info("Schema drift on stream {}: {}", e.stream(), e.message());
        health.schemaDrift(StreamId.decode(e.stream()), driftName(e.kind()), e.value(), e.recordType(), e.message());
    }

    /** {@code record-type}, {@code operation} or {@code field}. */
    static String driftName(DriftRadar.Kind kind) {
        return kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    private Map<StreamId, StreamCursor> readPositions(
            List<StreamId> streams, Map<StreamId, Map<String, ?>> storedOffsets) {
        List<Map<String, String>> partitions =
                streams.stream().map(StreamId::partition).toList();
        Map<Map<String, String>, Map<String, Object>> stored =
                context.offsetStorageReader().offsets(partitions);
        Map<StreamId, StreamCursor> positions = new HashMap<>();
        for (StreamId s : streams) {
            Map<String, Object> offset = stored == null ? null : stored.get(s.partition());
            if (offset == null) {
                continue;
            }
            try {
                StreamCursor c = StreamCursor.fromOffset(offset);
                c.checkPlausible(clock.instant(), PLAUSIBLE_FUTURE);
                positions.put(s, c);
                storedOffsets.put(s, offset);
            } catch (IllegalArgumentException e) {
                throw new ConnectException(
                        "The stored offset of stream " + s + " cannot be read: " + e.getMessage()
                                + ". Fix it with the Connect REST API (PATCH /connectors/<name>/offsets with "
                                + "{\"v\":2,\"hw\":<epoch ms>}) or reset it (DELETE /connectors/<name>/offsets) while the "
                                + "connector is stopped.",
                        e);
            }
        }
        return positions;
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        O365AuditSourceTaskState s = state;
        List<Emission> batch;
        try {
            batch = s.engine.poll(POLL_WAIT, s.batchMaxRecords);
        } catch (ApiException e) {
            // the failure's health record first (the next poll() fails again at once), then the failure, whose
            // message (the task's status trace) carries the stream's health state
            List<SourceRecord> last = healthRecords(s, new ArrayList<>());
            if (!last.isEmpty()) {
                return last;
            }
            StreamId failed = s.engine.failedStream();
            throw new ConnectException(
                    e.getMessage() + (failed == null ? "" : " Health: " + s.health.describe(failed)), e);
        }
        maybeLogSummary(s);
        if (batch.isEmpty()) {
            List<SourceRecord> health = healthRecords(s, new ArrayList<>());
            if (health.isEmpty()) {
                return null;
            }
            if (s.transactions != null && s.awaitingLedger.isEmpty() && s.openHistoryRanges.isEmpty()) {
                // health records end the transaction (nothing else may come to end it while the streams are idle);
                // never inside an open history range: the range's end commits it
                s.transactions.commitTransaction(health.get(health.size() - 1));
                s.recordsSinceCommit = 0;
            }
            return health;
        }
        List<SourceRecord> records = new ArrayList<>(batch.size());
        // every boundary of the batch ends a transaction (Connect commits after each record it was told of), so a
        // blob end followed by the records limit in one batch never merges two transactions into one too large
        List<SourceRecord> commitOn = new ArrayList<>(2);
        int sinceCommit = s.recordsSinceCommit;
        // enrichment happens here, before Connect sees the records: what a transaction commits is what was enriched
        Map<Emission, io.github.auditlake.o365.enrich.Enrichment> enriched =
                s.enrichment == null ? Map.of() : s.enrichment.enrich(batch);
        for (Emission e : batch) {
            SourceRecord r = s.mapper.toRecord(e);
            if (!enriched.isEmpty()) {
                RecordEnrichment.attach(r, enriched.get(e));
            }
            long charged = CollectionEngine.charged(e);
            if (charged > 0) {
                r = new ChargedRecord(r, e.stream(), charged);
            }
            records.add(r);
            s.handedOffsets.put(e.stream(), r.sourceOffset());
            if (Emission.fromAuditSearch(e)) {
                // inside a query range of history, records (and skips) carry the range's start: no transaction ends
                // there
                if (Emission.endsBlob(e)) {
                    s.openHistoryRanges.remove(e.stream());
                } else {
                    s.openHistoryRanges.add(e.stream());
                }
            }
            if (s.ledger && !Emission.fromAuditSearch(e)) {
                // a blob's last record (or skip) waits for its ledger entry: no transaction ends between the two,
                // whatever the task's other streams emit in between
                if (Emission.endsBlob(e)) {
                    s.awaitingLedger.add(e.stream());
                } else {
                    s.awaitingLedger.remove(e.stream());
                }
            }
            sinceCommit++;
            if (isBoundary(e, sinceCommit, s)) {
                commitOn.add(r);
                sinceCommit = 0;
            }
        }
        int before = records.size();
        healthRecords(s, records);
        if (records.size() > before && s.awaitingLedger.isEmpty() && s.openHistoryRanges.isEmpty()) {
            commitOn.add(records.get(records.size() - 1)); // health records end the transaction: seen at once
            sinceCommit = 0;
        }
        if (s.transactions != null) {
            commitOn.forEach(s.transactions::commitTransaction);
        }
        s.recordsSinceCommit = sinceCommit;
        return records;
    }

    /**
     * True when a connector-defined transaction ends at {@code e}: a heartbeat, a blob's end, or the records limit
     * ({@code sinceCommit} records, {@code e} included). With the ledger on, a blob ends at its ledger entry: the
     * blob's last record or skip is never a boundary, not even of the records limit, so the entry always commits in
     * the same transaction as the blob's last record (one record over the limit at most). While any stream of the
     * task has a history query range open ({@code openHistoryRanges}, updated for {@code e} already), nothing is a
     * boundary: the range's end is, once no other range is open (the engine's streams emit one range at a time, and a
     * range that cannot end fails the task, see {@code HistoryDelivery}).
     */
    static boolean isBoundary(Emission e, int sinceCommit, O365AuditSourceTaskState s) {
        if (Emission.fromAuditSearch(e)) {
            // history: only a query range's end is a position a restart resumes from (no ledger entry follows it;
            // another stream's blob waiting for its entry ends the transaction with that entry instead)
            return Emission.endsBlob(e) && s.awaitingLedger.isEmpty() && s.openHistoryRanges.isEmpty();
        }
        if (!s.openHistoryRanges.isEmpty()) {
            // another stream's history range is open (its records carry the range's start): committing now would
            // store that start with some of the range's records, delivered again after a restart
            return false;
        }
        boolean blobEnd = Emission.endsBlob(e);
        if (s.ledger) {
            // no stream of the task may be between a blob's last record and its entry (a blob end puts its stream
            // in awaitingLedger, so neither a blob's last record nor the records limit inside a blob end is a boundary)
            return s.awaitingLedger.isEmpty()
                    && (e instanceof Emission.Heartbeat
                            || e instanceof Emission.Ledger
                            || (!blobEnd && sinceCommit >= s.transactionMaxRecords));
        }
        return e instanceof Emission.Heartbeat || blobEnd || sinceCommit >= s.transactionMaxRecords;
    }

    /**
     * Adds the health records due (state changes, warnings, the periodic summary) to {@code records}. Each carries
     * the position last handed to Connect for its stream (or for another stream of the task, for a record that is
     * not about one stream), so it never moves a position past what was delivered; with none yet, it carries no
     * partition and no offset.
     */
    private static List<SourceRecord> healthRecords(O365AuditSourceTaskState s, List<SourceRecord> records) {
        s.health.tick();
        List<HealthEvent> events = s.health.drain();
        if (s.healthMapper == null) {
            return records;
        }
        for (HealthEvent e : events) {
            StreamId carrier = e.stream();
            if (carrier == null || !s.handedOffsets.containsKey(carrier)) {
                carrier = s.handedOffsets.keySet().stream()
                        .filter(x -> e.tenant() == null || x.tenantId().equals(e.tenant()))
                        .findFirst()
                        .orElse(null);
            }
            Map<String, ?> offset = carrier == null ? null : s.handedOffsets.get(carrier);
            records.add(s.healthMapper.toRecord(e, offset == null ? null : carrier.partition(), offset));
        }
        return records;
    }

    /**
     * Called by Connect for every record {@code poll()} returned, once the broker acknowledged it (or a transform
     * or converter dropped it, or a send failed and errors are tolerated): its bytes leave the memory budget.
     */
    @Override
    public void commitRecord(SourceRecord record, RecordMetadata metadata) {
        O365AuditSourceTaskState s = state;
        if (s != null && record instanceof ChargedRecord c) {
            s.engine.release(c.stream, c.charged);
        }
    }

    /** A record that holds bytes in the memory budget until {@link #commitRecord} releases them. */
    static final class ChargedRecord extends SourceRecord {
        final StreamId stream;
        final long charged;

        ChargedRecord(SourceRecord r, StreamId stream, long charged) {
            super(
                    r.sourcePartition(),
                    r.sourceOffset(),
                    r.topic(),
                    r.kafkaPartition(),
                    r.keySchema(),
                    r.key(),
                    r.valueSchema(),
                    r.value(),
                    r.timestamp(),
                    r.headers());
            this.stream = stream;
            this.charged = charged;
        }
    }

    private void maybeLogSummary(O365AuditSourceTaskState s) {
        long now = System.nanoTime();
        if (now - s.lastSummaryNanos >= SUMMARY_INTERVAL.toNanos()) {
            s.lastSummaryNanos = now;
            log.info("Collected so far: {}", s.engine.metrics().summary());
        }
    }

    /** Audit-search clients of the history phase, per tenant, built when a new stream first needs one. */
    private final Map<String, io.github.auditlake.o365.history.AuditSearchApi> historyApis =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * With {@code o365.history.start} set, the streams without a stored position first read their history through
     * audit search (one client and one query budget per tenant, shared by the task's streams of that tenant).
     */
    private void readHistory(O365SourceTaskConfig config, CollectionEngine engine) {
        java.util.Optional<java.util.function.UnaryOperator<java.time.Instant>> start = config.historyStart();
        if (start.isEmpty()) {
            return;
        }
        Map<String, io.github.auditlake.o365.history.QueryBudget> budgets =
                new java.util.concurrent.ConcurrentHashMap<>();
        io.github.auditlake.o365.history.HistorySettings hs =
                io.github.auditlake.o365.history.HistorySettings.DEFAULTS.withQueriesPerDay(
                        config.historyQueriesPerDay());
        engine.readHistoryWith(new io.github.auditlake.o365.engine.HistorySource(
                start.get(),
                t -> historyApis.computeIfAbsent(t, k -> apiFactory.auditSearch(config, k)),
                // the task's share of the tenant's daily budget (by the tenant's streams it holds)
                t -> budgets.computeIfAbsent(
                        t,
                        k -> new io.github.auditlake.o365.history.QueryBudget(
                                config.historyQueriesPerDayFor(k), clock)),
                hs));
        log.info("History through audit search is on: new streams read from {} first", config.historyStartText());
    }

    @Override
    public void stop() {
        O365AuditSourceTaskState s = state;
        if (s == null) {
            return;
        }
        s.engine.close();
        if (s.enrichment != null) {
            s.enrichment.close();
        }
        historyApis.values().forEach(io.github.auditlake.o365.history.AuditSearchApi::close);
        for (ManagementApi api : s.apis) {
            try {
                api.close();
            } catch (RuntimeException e) {
                log.warn("Closing the API client of tenant {} failed: {}", api.tenantId(), e.getMessage());
            }
        }
        log.info("Task stopped. Totals: {}", s.engine.metrics().summary());
    }

    /** The engine's counters (for tests and metrics). */
    EngineMetrics metrics() {
        return state == null ? null : state.engine.metrics();
    }

    static final class O365AuditSourceTaskState {
        final O365SourceTaskConfig config;
        final List<ManagementApi> apis;
        final CollectionEngine engine;
        final RecordMapper mapper;
        final TransactionContext transactions;
        final HealthMonitor health;
        /** The health topic's mapper, or null when no health topic is configured. */
        final HealthMapper healthMapper;
        /** Per stream: the offset last handed to Connect (or read at start). Task thread only. */
        final Map<StreamId, Map<String, ?>> handedOffsets;
        /** Read once: a config lookup per record showed in the profile. */
        final int batchMaxRecords;

        final int transactionMaxRecords;
        /** The completeness ledger is on: a blob's transaction ends at its ledger entry. */
        final boolean ledger;

        long lastSummaryNanos = System.nanoTime();
        int recordsSinceCommit;
        /**
         * With the ledger on: the streams whose blob's last record (or skip) was handed over and whose ledger entry has
         * not come yet; no transaction ends while one is waiting.
         */
        final java.util.Set<StreamId> awaitingLedger = new java.util.HashSet<>();
        /** Graph enrichment, or null when off. */
        RecordEnrichment enrichment;
        /**
         * The streams whose history query range is being handed over (its first record handed, its last one not yet):
         * their records carry the range's start, so no transaction ends while one is open (see {@link #isBoundary}).
         */
        final java.util.Set<StreamId> openHistoryRanges = new java.util.HashSet<>();

        O365AuditSourceTaskState(
                O365SourceTaskConfig config,
                List<ManagementApi> apis,
                CollectionEngine engine,
                RecordMapper mapper,
                TransactionContext transactions,
                HealthMonitor health,
                HealthMapper healthMapper,
                Map<StreamId, Map<String, ?>> storedOffsets) {
            this.health = health;
            this.healthMapper = healthMapper;
            this.handedOffsets = new java.util.LinkedHashMap<>(storedOffsets);
            this.config = config;
            this.apis = apis;
            this.engine = engine;
            this.mapper = mapper;
            this.transactions = transactions;
            this.batchMaxRecords = config.batchMaxRecords();
            this.transactionMaxRecords = config.transactionMaxRecords();
            this.ledger = config.ledgerTopic() != null;
        }
    }
}
