package io.github.auditlake.o365.cli;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.client.ClientSettings;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.engine.CollectionEngine;
import io.github.auditlake.o365.engine.Emission;
import io.github.auditlake.o365.engine.EngineSettings;
import io.github.auditlake.o365.history.HistorySettings;
import io.github.auditlake.o365.history.SeamIds;
import io.github.auditlake.o365.metrics.EngineMetrics;
import io.github.auditlake.o365.settings.CollectionSettings;
import io.github.auditlake.o365.settings.Validity;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code export}: every record of a time range, collected by the connector's {@link CollectionEngine} with an end
 * bound. Each content type is a stream whose position starts at the range's start; the engine lists the range once
 * in windows of up to 24 hours, fetches blobs concurrently within the request budget, retries faults as the
 * connector does and delivers a blob listed twice once. This command only writes what the engine emits.
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Writes every record of a time range (jsonl, json, csv or table).",
            "",
            "Every record of the blobs whose contentCreated lies in [start, end), collected by the connector's "
                    + "engine: each content type's range is listed once in windows of at most 24 h, each blob is "
                    + "fetched once (even when listed twice) by --concurrency workers within the request budget, and "
                    + "failures are retried as the connector retries them (transient ones until the blob expires; blobs "
                    + "already gone are skipped and named on stderr). A blob's records are written together, in their "
                    + "order, once the blob is complete; a content type's blobs in contentCreated order. The last window "
                    + "is listed once the service's time has passed the end (a few seconds with --end now). A summary "
                    + "line goes to stderr.",
            "The API filters on when a blob became available (contentCreated), not on the records' CreationTime, and "
                    + "may repeat a record in several blobs (same Id): de-duplicate on Id downstream if needed."
        })
final class ExportCommand extends ApiCommand {
    @Option(
            names = "--content-type",
            paramLabel = "T",
            description = "Content type(s): Audit.AzureActiveDirectory, Audit.Exchange, Audit.SharePoint, "
                    + "Audit.General, DLP.All, a comma-separated list, or all. Required unless --resume.")
    String contentType;

    @Option(
            names = "--start",
            paramLabel = "TIME",
            description = "Start (inclusive): 2026-11-28T10:00:00Z, 2026-11-28, -24h, -30d... More than 7 days ago, "
                    + "the older part is read through audit search (see --source). Required unless --resume.")
    String start;

    @Option(
            names = "--source",
            paramLabel = "SOURCE",
            defaultValue = "auto",
            description = "auto (default): audit search (Microsoft Graph, global cloud only, permission "
                    + "AuditLogsQuery.Read.All) for the part of the range the Management API can no longer list, the "
                    + "Management API for the rest, matched by record Id at the seam; audit-search or activity-api: "
                    + "that source alone (activity-api refuses a start more than 7 days ago). Audit search selects "
                    + "records by their CreationTime, the Management API blobs by their contentCreated. An export "
                    + "that reads audit search cannot be resumed (run it again).")
    String source;

    @Option(
            names = "--history-queries-per-day",
            paramLabel = "N",
            defaultValue = "" + HistorySettings.DEFAULT_QUERIES_PER_DAY,
            description = "Audit-search queries submitted in any 24 hours at most (the service allows about 200 per "
                    + "tenant, shared by every tool); default " + HistorySettings.DEFAULT_QUERIES_PER_DAY + ".")
    int historyQueriesPerDay;

    @Option(names = "--end", paramLabel = "TIME", defaultValue = "now", description = "End (exclusive); default: now.")
    String end;

    @Option(
            names = {"--output", "-o"},
            paramLabel = "FILE",
            defaultValue = "-",
            description = "Where to write (- = stdout, the default). A file is written as FILE.part and renamed "
                    + "when the export is complete; both are created readable by you only (mode 0600), and a FILE or "
                    + "FILE.part that is a symbolic link is refused.")
    String output;

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            defaultValue = "jsonl",
            description = "jsonl (default: each record's original JSON on its own line), json (one array), csv or "
                    + "table (tab-separated) of --fields, or fields: not the records but, per RecordType, how many "
                    + "records carry each top-level field (what the tenant actually sends).")
    String format;

    @Option(
            names = "--raw-cells",
            description = "csv and table: write the values as served. By default a cell starting with =, +, -, @, "
                    + "tab or carriage return gets a leading ' (so a spreadsheet shows it as text and never runs it as "
                    + "a formula; a negative number -5 becomes '-5 too), and table output shows control and "
                    + "bidirectional characters escaped (\\u001b).")
    boolean rawCells;

    @Option(
            names = "--fields",
            paramLabel = "A,B,C",
            split = ",",
            description = "Top-level record fields for csv and table, matched without regard to case (an unknown "
                    + "name is an error that lists the valid ones); default: CreationTime,Id,Workload,RecordType,"
                    + "Operation,UserId,ClientIP,ResultStatus,ObjectId.")
    List<String> fields;

    @Option(
            names = "--enrich",
            description =
                    "Also write who is behind each record's GUIDs, from Microsoft Graph (one sign-in with the same "
                            + "credential; Graph permission User.Read.All, Application.Read.All and GroupMember.Read.All, or "
                            + "Directory.Read.All): the actor (UserKey, Actor[].ID), target (Target[].ID), group (AADGroupId), "
                            + "app (ApplicationId, AppId) and team (TeamGuid when a GUID), batched and cached as the connector "
                            + "does. jsonl and json: each record becomes {\"record\":<the original record, byte for byte>,"
                            + "\"enrichment\":{\"actor\":{\"id\":...,\"type\":...,\"upn\":...,\"displayName\":...},...}}; csv and "
                            + "table: --fields <who>.<attribute>, e.g. actor.upn,app.displayName, and enrich.skipped. When Graph "
                            + "is slow (10 s), throttled or refuses, records are written unenriched, with enrichment.skipped "
                            + "saying why.")
    boolean enrich;

    @Option(
            names = "--concurrency",
            paramLabel = "N",
            defaultValue = "" + EngineSettings.DEFAULT_FETCH_CONCURRENCY,
            description = "Blobs fetched at once (1-64); default " + EngineSettings.DEFAULT_FETCH_CONCURRENCY + ".")
    int concurrency;

    @Option(
            names = "--requests-per-minute",
            paramLabel = "N",
            description = "Request budget; default: o365.requests.per.minute from --config, else "
                    + ClientSettings.DEFAULT_REQUESTS_PER_MINUTE + ".")
    Integer requestsPerMinute;

    /** Heap for records fetched ahead of writing: the connector's default {@code o365.buffer.max.bytes}. */
    static final long BUFFER_MAX_BYTES = CollectionSettings.BUFFER_MAX_BYTES.defaultValue();
    /** The service's time must pass the range's end (less a margin) before the last window is listed: checked this often. */
    static final Duration POLL_INTERVAL = Duration.ofSeconds(5);

    private static final Duration POLL_WAIT = Duration.ofMillis(200);
    private static final int POLL_MAX = 1024;

    ExportCommand(CliContext ctx) {
        super(ctx);
    }

    @Option(
            names = "--resume",
            description = "Continue an export to --output FILE that was interrupted (Ctrl-C, a failure, --timeout), "
                    + "from FILE.part and its state FILE.part.state: the range, content types, format and fields are "
                    + "the interrupted export's; no record is written twice or left out.")
    boolean resume;

    @Override
    protected Duration defaultTimeout() {
        return null; // an export of a week may rightly take hours: no timeout unless given
    }

    @Override
    protected int execute() throws Exception {
        Path target = output.equals("-") ? null : Path.of(output);
        Path part = target == null ? null : target.resolveSibling(target.getFileName() + ".part");
        Path stateFile = part == null ? null : ExportState.of(part);
        ExportState.Data resumed = null;
        if (resume) {
            if (part == null) {
                throw CliException.usage("--resume continues an export to a file: give the same --output FILE as the "
                        + "interrupted export");
            }
            resumed = ExportState.read(stateFile);
            String tenant = settings().tenantId();
            if (!tenant.equals(resumed.tenant)) {
                throw CliException.usage(stateFile + " is an export of tenant " + resumed.tenant + ", not " + tenant);
            }
            if (contentType != null || start != null || format != null && !format.equals("jsonl") || fields != null) {
                ctx.warn("--resume continues with the range, content types, format and fields of the interrupted "
                        + "export (" + String.join(",", resumed.contentTypes) + ", " + resumed.start + " to "
                        + resumed.end + ", " + resumed.format + "); the ones given here are not used");
            }
            contentType = String.join(",", resumed.contentTypes);
            format = resumed.format;
            if (enrich != resumed.enrich) {
                ctx.warn("--resume continues " + (resumed.enrich ? "with" : "without") + " --enrich, as the "
                        + "interrupted export did");
            }
            enrich = resumed.enrich;
            fields = resumed.fields;
            rawCells = resumed.rawCells;
        } else if (contentType == null || start == null) {
            throw CliException.usage("Missing required options: --content-type and --start (or --resume)");
        }
        List<ContentType> types = ContentTypes.parse(contentType);
        Instant now = ctx.clock().instant();
        HistoryExport.Source from = HistoryExport.Source.parse(source);
        if (historyQueriesPerDay < 1 || historyQueriesPerDay > 200) {
            throw CliException.usage("--history-queries-per-day must be 1..200, got " + historyQueriesPerDay);
        }
        Validity.Range concurrencies = (Validity.Range) CollectionSettings.FETCH_CONCURRENCY.validity();
        if (!concurrencies.contains(concurrency)) {
            throw CliException.usage("--concurrency must be " + concurrencies.min() + ".." + concurrencies.max()
                    + ", got " + concurrency);
        }
        List<String> columns = fields == null
                ? RecordFormat.DEFAULT_FIELDS
                : fields.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (columns.isEmpty()) {
            throw CliException.usage("--fields is empty");
        }
        columns = RecordFormat.resolveFields(columns, enrich);
        String fmt = format.trim().toLowerCase(java.util.Locale.ROOT);
        if (!Arrays.asList("jsonl", "json", "csv", "table", "fields").contains(fmt)) {
            throw CliException.usage("unknown --format '" + format + "': use jsonl, json, csv, table or fields");
        }
        if (enrich && fmt.equals("fields")) {
            throw CliException.usage("--enrich adds who is behind the records' GUIDs to jsonl, json, csv or table; "
                    + "--format fields counts the records' own fields");
        }
        Integer configured = settings().requestsPerMinute();
        int rpm = requestsPerMinute != null
                ? requestsPerMinute
                : configured != null ? configured : CliSettings.KEY_REQUESTS_PER_MINUTE.defaultValue();
        if (rpm < 1) {
            throw CliException.usage("--requests-per-minute must be at least 1, got " + rpm);
        }
        // a resumed export never read audit search (such an export keeps no resume state)
        HistoryExport.Plan plan = resumed != null
                ? null
                : HistoryExport.plan(
                        from, Times.range(start, end, now, from != HistoryExport.Source.ACTIVITY_API), now);
        Optional<Times.Window> collected = resumed != null
                ? Optional.of(resumed.range())
                : plan.listed().isEmpty()
                        ? Optional.empty()
                        : collectable(plan.listed().get(), now);
        boolean readsHistory = plan != null && plan.history().isPresent();
        HistorySettings history = HistorySettings.DEFAULTS.withQueriesPerDay(historyQueriesPerDay);
        seam = readsHistory && collected.isPresent()
                ? new SeamIds(collected.get().start())
                : null;
        HistoryExport.Result old = new HistoryExport.Result();
        if (target != null) {
            OutputFiles.requireDirectory(target, "--output");
            OutputFiles.refuseLink(target, "--output");
            OutputFiles.refuseLink(part, "--output's part file");
        }
        ClientSettings cs = clientSettings(rpm);

        ExportState.Data state = resumed;
        if (part != null && state == null && Files.exists(stateFile)) {
            ctx.warn("starting " + target + " anew: the interrupted export in " + part + " is replaced (to continue "
                    + "it instead, stop this and run " + CliContext.PROGRAM + " export --resume --output " + target
                    + ")");
        }
        // a field census is made whole at the end: it keeps no resume state (run it again)
        if (part != null && state == null && !readsHistory && !fmt.equals("fields")) {
            state = new ExportState.Data();
            state.tenant = settings().tenantId();
            state.contentTypes = types.stream().map(ContentType::wireName).toList();
            Times.Window w = collected.orElse(new Times.Window(now, now));
            state.start = w.start().toString();
            state.end = w.end().toString();
            state.format = fmt;
            state.fields = columns;
            state.rawCells = rawCells;
            state.enrich = enrich;
        }
        Totals totals = new Totals();
        boolean finished = false;
        try (ManagementApi api = ctx.createApi(cs);
                CliEnrichment enrichment =
                        enrich ? CliEnrichment.open(ctx, cs, settings().enrichSettings()) : null) {
            this.enrichment = enrichment;
            Counting os = new Counting(
                    part == null
                            ? ctx.out()
                            : resumed != null
                                    ? OutputFiles.openForResume(part, resumed.bytes)
                                    : OutputFiles.createPrivate(part),
                    resumed == null ? 0 : resumed.bytes);
            if (part != null) {
                ctx.onCancel(() -> {}); // Ctrl-C: the hook waits while this command stops and says how to resume
            }
            try {
                Writer w = Output.writer(os);
                RecordFormat out = RecordFormat.of(fmt, columns, w, rawCells);
                if (enrichment != null) {
                    out = enrichment.wrap(out);
                }
                if (resumed == null) {
                    out.begin();
                } else {
                    out.resumeAfter(resumed.records);
                    totals.blobs = resumed.blobs;
                    totals.records = resumed.records;
                    totals.skipped = resumed.skipped;
                    ctx.info(
                            "resuming " + part + " after " + resumed.blobs + " blobs, " + resumed.records + " records");
                }
                Checkpoint checkpoint = state == null ? null : new Checkpoint(stateFile, state, w, os);
                if (checkpoint != null) {
                    checkpoint.save(totals);
                }
                // the Management API's part first: its content expires, audit search keeps its records for months
                if (collected.isPresent()) {
                    collect(api, types, collected.get(), out, totals, resumed, checkpoint, os);
                }
                if (readsHistory) {
                    old = HistoryExport.run(
                            ctx, cs, history, types, plan.history().get(), out, seam);
                }
                out.end();
                w.flush();
                finished = true;
            } catch (IOException | UncheckedIOException e) {
                IOException io = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
                throw CliException.failure(
                        "cannot write the output" + (part == null ? "" : " " + part) + ": " + io.getMessage(), e);
            } finally {
                if (part != null) {
                    os.close();
                }
            }
        } catch (Cancelled c) {
            if (state == null) {
                ctx.error(
                        "interrupted: " + totals.blobs + " blobs, " + totals.records + " records are in " + part
                                + "; this export (it reads audit search, or makes a field census) cannot be resumed: run it again");
                return CliException.INTERRUPTED;
            }
            ctx.error("interrupted: " + totals.blobs + " blobs, " + totals.records + " records are in " + part
                    + "; resume with: " + CliContext.PROGRAM + " export --resume --output " + target
                    + " (and the same credentials or --config)");
            return CliException.INTERRUPTED;
        } catch (RuntimeException e) {
            if (part != null && Files.exists(part)) {
                ctx.warn("the export did not complete; what was written is in " + part
                        + (Files.exists(stateFile)
                                ? " (continue it with: " + CliContext.PROGRAM + " export --resume --output " + target
                                        + ")"
                                : ""));
            }
            throw e;
        } finally {
            ctx.onCancel(null);
        }
        if (part != null && finished) {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.deleteIfExists(stateFile);
        }
        if (readsHistory) {
            ctx.info("audit search: " + old.records + " records of "
                    + plan.history().get() + " in " + old.queries
                    + " queries"
                    + (old.outOfRange > 0
                            ? ", " + old.outOfRange + " outside their query's range " + "(not written)"
                            : "")
                    + (old.unreadable > 0 ? ", " + old.unreadable + " unreadable skipped (named above)" : ""));
        }
        if (seam != null) {
            ctx.info("seam at " + seam.seam() + ": " + seam.size() + " Management API records created before it, "
                    + seam.duplicates() + " of them also in audit search (matched by Id, written once)");
        }
        if (enrichment != null) {
            enrichment.summary();
        }
        ctx.info("done: " + totals.blobs + " blobs, " + totals.records + " records, " + totals.skipped + " skipped"
                + (totals.skipped > 0 ? " (named above)" : ""));
        return 0;
    }

    /** Ctrl-C while collecting: what is written stays, with its resume state. */
    /** The Id matching at the seam when audit search reads the older part; null otherwise. */
    private SeamIds seam;

    /** {@code --enrich}'s enricher while the export runs; null without it. */
    private CliEnrichment enrichment;

    private static final class Cancelled extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Cancelled() {
            super("interrupted", null, false, false);
        }
    }

    /** Counts the bytes written through it: the part file's length at each checkpoint. */
    static final class Counting extends java.io.FilterOutputStream {
        private long count;

        Counting(OutputStream out, long start) {
            super(out);
            this.count = start;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        long count() {
            return count;
        }
    }

    /** Saves the resume state: the bytes that hold whole blobs and each content type's position after them. */
    private static final class Checkpoint {
        private final Path file;
        private final ExportState.Data state;
        private final Writer writer;
        private final Counting os;

        Checkpoint(Path file, ExportState.Data state, Writer writer, Counting os) {
            this.file = file;
            this.state = state;
            this.writer = writer;
            this.os = os;
        }

        void save(Totals t) throws IOException {
            writer.flush();
            state.bytes = os.count();
            state.blobs = t.blobs;
            state.records = t.records;
            state.skipped = t.skipped;
            ExportState.write(file, state);
        }

        void position(StreamId stream, StreamCursor c) {
            state.positions.put(stream.contentType().wireName(), new LinkedHashMap<>(c.toOffset()));
        }
    }

    /**
     * What can be collected of {@code range} at {@code now}: it ends at most at now (no content is created in the
     * future, and the engine waits for the service's time to pass the end), and starts inside the API's retention
     * (with a note when that cuts its start). Empty when nothing of it is left.
     */
    private Optional<Times.Window> collectable(Times.Window range, Instant now) {
        Instant to = range.end().isAfter(now) ? now : range.end();
        if (!range.start().isBefore(to)) {
            return Optional.empty();
        }
        Optional<Times.Window> listable = Times.listable(new Times.Window(range.start(), to), now);
        if (listable.isPresent() && !listable.get().start().equals(range.start())) {
            ctx.info("note: listing from " + listable.get().start() + " instead of " + range.start() + ": the API "
                    + "refuses starts at its 7-day limit, and content created before then expires within minutes");
        }
        return listable;
    }

    private static final class Totals {
        long blobs;
        long records;
        long skipped;
    }

    /** The engine's settings for a bounded export of {@code range}. */
    private EngineSettings engineSettings(Times.Window range) {
        // Times.PLANNER's coverage is the whole retention: the delivered set spans the range, so a blob listed twice
        // is fetched once
        return EngineSettings.builder(Times.PLANNER, Duration.between(range.start(), range.end()))
                .pollInterval(POLL_INTERVAL)
                .fetchConcurrency(concurrency)
                .bufferMaxBytes(BUFFER_MAX_BYTES)
                .outputCapacity(POLL_MAX)
                .heartbeatInterval(Duration.ZERO)
                .manageSubscriptions(false)
                .backoff(Retrying.INITIAL, Retrying.MAX)
                .endAt(range.end())
                .build();
    }

    private void collect(
            ManagementApi api,
            List<ContentType> types,
            Times.Window range,
            RecordFormat out,
            Totals t,
            ExportState.Data resumed,
            Checkpoint checkpoint,
            Counting bytes)
            throws IOException {
        String tenant = settings().tenantId();
        Map<StreamId, StreamCursor> positions = new LinkedHashMap<>();
        for (ContentType type : types) {
            StreamCursor at = resumed == null ? null : resumed.position(type);
            positions.put(
                    new StreamId(tenant, type),
                    at != null ? at : StreamCursor.startingAt(range.start(), range.start()));
        }
        List<StreamId> streams = List.copyOf(positions.keySet());
        ctx.debug("export: " + streams.size() + " content type(s), " + range + ", windows of at most 24 h, "
                + concurrency + " blobs at a time");
        EngineMetrics metrics = new EngineMetrics();
        long blobsBefore = t.blobs;
        Map<StreamId, RecordBuffer> blobs = new HashMap<>();
        Progress progress = new Progress(streams, range, bytes);
        try (CollectionEngine engine = new CollectionEngine(
                streams,
                tenantId -> api,
                positions,
                engineSettings(range),
                ctx.clock(),
                ctx.sleeper(),
                ctx.random(),
                metrics)) {
            engine.start();
            while (true) {
                if (ctx.cancelled()) {
                    throw new Cancelled();
                }
                RuntimeException stop = stopped(null);
                if (stop != null) {
                    throw stop;
                }
                List<Emission> batch;
                try {
                    batch = engine.poll(POLL_WAIT, POLL_MAX);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw CliException.failure("interrupted", e);
                } catch (RuntimeException e) {
                    RuntimeException stopping = stopped(e);
                    throw stopping != null ? stopping : explain(e, engine.failedStream());
                }
                boolean moved = false;
                for (Emission e : batch) {
                    write(e, blobs, out, t, progress);
                    if (checkpoint != null
                            && !blobs.containsKey(e.stream())
                            && e.cursorAfter() != null
                            && !(e instanceof Emission.StreamFailure)) {
                        // nothing of this stream is held back: the file holds everything up to this position
                        checkpoint.position(e.stream(), e.cursorAfter());
                        moved = true;
                    }
                }
                // an enriching format enriches the batch's records together and writes them now, before the checkpoint
                out.flush();
                t.blobs = blobsBefore + metrics.blobsCompleted.sum();
                if (moved) {
                    checkpoint.save(t);
                }
                boolean drained = engine.isDrained();
                progress.update(t, drained);
                if (drained) {
                    break;
                }
            }
        } finally {
            blobs.values().forEach(RecordBuffer::close);
            progress.finish();
        }
    }

    /**
     * Writes one emission. A blob's records are held until its last one, then written together and in their order
     * (blobs of several content types arrive interleaved); a blob the service says is gone is named on stderr, with
     * the records fetched before it went, if any, written.
     */
    private void write(Emission e, Map<StreamId, RecordBuffer> blobs, RecordFormat out, Totals t, Progress progress) {
        if (e instanceof Emission.Event ev) {
            if (seam != null) {
                seam.listed(ev.record().id(), ev.record().creationTime());
            }
            if (ev.blobEnd()) {
                progress.blobDone(ev.stream(), ev.blob().contentCreated());
            }
            add(blobs, ev.stream(), ev.record().json(), ev.blobEnd(), out, t);
        } else if (e instanceof Emission.Skip sk && sk.record() != null) {
            // an element of a blob that is not an audit record: written as served, as every element is
            ctx.debug("blob " + sk.blob().contentId() + ": an element is not an audit record: " + sk.reason());
            add(blobs, sk.stream(), sk.record().json(), sk.blobEnd(), out, t);
        } else if (e instanceof Emission.Skip sk) {
            progress.blobDone(sk.stream(), sk.blob().contentCreated());
            flush(blobs.remove(sk.stream()), out, t);
            t.skipped++;
            ctx.warn("skipped blob " + sk.blob().contentId() + ": " + sk.reason()
                    + (sk.recordsDelivered() > 0 ? " (after " + sk.recordsDelivered() + " records, written)" : ""));
        } else if (e instanceof Emission.StreamFailure f) {
            throw CliException.failure(f.reason(), null); // not raised: failures are not isolated here
        }
        // a heartbeat is progress without records: nothing to write
    }

    private static void add(
            Map<StreamId, RecordBuffer> blobs,
            StreamId stream,
            String json,
            boolean blobEnd,
            RecordFormat out,
            Totals t) {
        blobs.computeIfAbsent(stream, s -> new RecordBuffer()).add(json);
        if (blobEnd) {
            flush(blobs.remove(stream), out, t);
        }
    }

    private static void flush(RecordBuffer buffer, RecordFormat out, Totals t) {
        if (buffer == null) {
            return;
        }
        try (buffer) {
            buffer.forEach(line -> {
                try {
                    out.record(line);
                } catch (IOException io) {
                    throw new UncheckedIOException(io);
                }
            });
            t.records += buffer.records();
        }
    }

    /**
     * The failure the engine rethrows, as the CLI reports it: the service's classified error (without the engine's
     * "for stream" wrapper), and for a missing or disabled subscription the command that starts it.
     */
    static RuntimeException explain(RuntimeException failure, StreamId stream) {
        RuntimeException e = failure;
        if (e instanceof ApiException outer && outer.getCause() instanceof ApiException inner) {
            e = inner; // CollectionEngine.fatal names the stream around the service's error
        }
        if (stream != null
                && e instanceof ApiException a
                && a.getCause() instanceof ApiException r
                && r.kind() == ErrorKind.RESUBSCRIBE) {
            return Listings.withStartAdvice(stream.contentType(), r);
        }
        if (stream != null && e instanceof ApiException a && a.kind() == ErrorKind.RESUBSCRIBE) {
            return Listings.withStartAdvice(stream.contentType(), a);
        }
        return e;
    }

    /**
     * Progress on stderr (none with {@code --quiet}): on a terminal one line rewritten in place, at most
     * {@link #TERMINAL_EVERY} apart; otherwise (cron, a log file) a plain line every {@link #PLAIN_EVERY} of the clock.
     * It counts blobs and bytes written, their rates, and how far each content type's blobs have come through the
     * range by their {@code contentCreated} (so it moves with every blob, not only when a 24-hour window is listed),
     * with an ETA from that pace.
     */
    private final class Progress {
        static final long TERMINAL_EVERY_NANOS = 200_000_000L;
        static final Duration PLAIN_EVERY = Duration.ofMinutes(1);

        private final List<StreamId> streams;
        private final Map<StreamId, Instant> reached = new HashMap<>();
        private final long from;
        private final long span;
        private final Counting bytes;
        private final long bytesAtStart;
        private final Instant startedAt;
        private long blobsAtStart = -1;
        private long lastNanos;
        private Instant lastPlain;
        private boolean shown;

        Progress(List<StreamId> streams, Times.Window range, Counting bytes) {
            this.streams = streams;
            this.from = range.start().toEpochMilli();
            this.span = Math.max(1, range.end().toEpochMilli() - from);
            this.bytes = bytes;
            this.bytesAtStart = bytes.count();
            this.startedAt = ctx.clock().instant();
            this.lastPlain = startedAt;
        }

        void blobDone(StreamId stream, Instant contentCreated) {
            if (contentCreated != null) {
                reached.merge(stream, contentCreated, (a, b) -> a.isAfter(b) ? a : b);
            }
        }

        void update(Totals t, boolean last) {
            if (blobsAtStart < 0) {
                blobsAtStart = t.blobs;
            }
            if (ctx.quiet()) {
                return;
            }
            if (ctx.interactive()) {
                long now = System.nanoTime();
                if (!last && now - lastNanos < TERMINAL_EVERY_NANOS) {
                    return;
                }
                lastNanos = now;
                shown = true;
                ctx.progress("\r" + line(t, last) + " ");
            } else if (!last) {
                Instant now = ctx.clock().instant();
                if (Duration.between(lastPlain, now).compareTo(PLAIN_EVERY) < 0) {
                    return;
                }
                lastPlain = now;
                ctx.info(line(t, false));
            }
        }

        /** The fraction of the range the content types' written blobs have reached. */
        double done() {
            double sum = 0;
            for (StreamId s : streams) {
                Instant at = reached.get(s);
                sum += at == null ? 0 : Math.min(1.0, Math.max(0.0, (double) (at.toEpochMilli() - from) / span));
            }
            return sum / streams.size();
        }

        String line(Totals t, boolean last) {
            double done = last ? 1.0 : done();
            long written = bytes.count();
            StringBuilder sb = new StringBuilder(String.format(
                    java.util.Locale.ROOT,
                    "export: %d%% of the range, %d blobs, %s, %d records, %d skipped",
                    (long) Math.floor(100 * done),
                    t.blobs,
                    size(written),
                    t.records,
                    t.skipped));
            Duration elapsed = Duration.between(startedAt, ctx.clock().instant());
            double secs = elapsed.toMillis() / 1000.0;
            if (secs >= 1) {
                sb.append(String.format(
                        java.util.Locale.ROOT,
                        ", %.1f blobs/s, %s/s",
                        (t.blobs - Math.max(0, blobsAtStart)) / secs,
                        size((long) ((written - bytesAtStart) / secs))));
                if (done > 0.001 && done < 1) {
                    sb.append(", about ")
                            .append(Waits.human(Duration.ofMillis((long) (elapsed.toMillis() * (1 - done) / done))))
                            .append(" left");
                }
            }
            return sb.toString();
        }

        void finish() {
            if (shown) {
                ctx.progress("\n");
            }
        }
    }

    /** {@code 512 B}, {@code 3.4 KB}, {@code 12.0 MB}, {@code 1.2 GB} (powers of 1024). */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double v = bytes;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[i]);
    }
}
