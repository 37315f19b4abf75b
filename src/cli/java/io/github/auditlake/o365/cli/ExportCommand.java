package io.github.auditlake.o365.cli;

import io.github.auditlake.o365.client.ClientSettings;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ManagementApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** {@code export}: every record of a time range. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes every record of a time range (jsonl, json, csv or table).",
            "",
            "Every record of the blobs whose contentCreated lies in [start, end): the range is "
                + "listed in windows of at most 24 h, each blob is fetched once (even when listed twice) by "
                + "--concurrency workers within the request budget, and failures are retried as the connector "
                + "retries them (transient ones until the blob expires; blobs already gone are skipped and named on "
                + "stderr). A blob's records are written together, in their order, once the blob is complete; blobs "
                + "are written in the order they complete. A summary line goes to stderr.",
            "The API filters on when a blob became available (contentCreated), not on the records' CreationTime, and "
                + "may repeat a record in several blobs (same Id): de-duplicate on Id downstream if needed."})
final class ExportCommand extends ApiCommand {
    @Option(names = "--content-type", required = true, paramLabel = "T",
            description = "Content type(s): Audit.AzureActiveDirectory, Audit.Exchange, Audit.SharePoint, "
                    + "Audit.General, DLP.All, a comma-separated list, or all.")
    String contentType;

    @Option(names = "--start", required = true, paramLabel = "TIME",
            description = "Start (inclusive), at most 7 days ago: 2026-11-28T10:00:00Z, 2026-11-28, -24h, -7d...")
    String start;

    @Option(names = "--end", paramLabel = "TIME", defaultValue = "now", description = "End (exclusive); default: now.")
    String end;

    @Option(names = {"--output", "-o"}, paramLabel = "FILE", defaultValue = "-",
            description = "Where to write (- = stdout, the default). A file is written as FILE.part and renamed "
                    + "when the export is complete.")
    String output;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "jsonl",
            description = "jsonl (default: each record's original JSON on its own line), json (one array), csv or "
                    + "table (tab-separated) of --fields.")
    String format;

    @Option(names = "--fields", paramLabel = "A,B,C", split = ",",
            description = "Top-level record fields for csv and table; default: CreationTime,Id,Workload,RecordType,"
                    + "Operation,UserId,ClientIP,ResultStatus,ObjectId.")
    List<String> fields;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "4",
            description = "Blobs fetched at once (1-64); default 4.")
    int concurrency;

    @Option(names = "--requests-per-minute", paramLabel = "N",
            description = "Request budget; default: o365.requests.per.minute from --config, else 1800.")
    Integer requestsPerMinute;

    ExportCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected int execute() throws Exception {
        List<ContentType> types = ContentTypes.parse(contentType);
        Times.Window range = Times.range(start, end, ctx.clock().instant());
        if (concurrency < 1 || concurrency > 64) {
            throw CliException.usage("--concurrency must be 1..64, got " + concurrency);
        }
        List<String> columns = fields == null ? RecordFormat.DEFAULT_FIELDS
                : fields.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (columns.isEmpty()) {
            throw CliException.usage("--fields is empty");
        }
        String fmt = format.trim().toLowerCase(java.util.Locale.ROOT);
        if (!Arrays.asList("jsonl", "json", "csv", "table").contains(fmt)) {
            throw CliException.usage("unknown --format '" + format + "': use jsonl, json, csv or table");
        }
        Integer configured = settings().requestsPerMinute();
        int rpm = requestsPerMinute != null ? requestsPerMinute
                : configured != null ? configured : ClientSettings.DEFAULT_REQUESTS_PER_MINUTE;
        if (rpm < 1) {
            throw CliException.usage("--requests-per-minute must be at least 1, got " + rpm);
        }
        ClientSettings cs = clientSettings(rpm);

        Path target = output.equals("-") ? null : Path.of(output);
        Path part = target == null ? null : target.resolveSibling(target.getFileName() + ".part");
        Totals totals;
        try (ManagementApi api = ctx.createApi(cs)) {
            List<ContentBlob> blobs = new Listings(api, ctx).blobs(types, range);
            ctx.debug("export: " + blobs.size() + " blobs to fetch in " + Times.windows(range).size()
                    + " windows per content type");
            OutputStream os = part == null ? ctx.out() : Files.newOutputStream(part);
            try {
                Writer w = Output.writer(os);
                totals = fetchAndWrite(api, blobs, RecordFormat.of(fmt, columns, w));
                w.flush();
            } catch (IOException | UncheckedIOException e) {
                IOException io = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
                throw CliException.failure("cannot write the output" + (part == null ? "" : " " + part) + ": "
                        + io.getMessage(), e);
            } finally {
                if (part != null) {
                    os.close();
                }
            }
        } catch (RuntimeException e) {
            if (part != null && Files.exists(part)) {
                ctx.warn("the export did not complete; what was written is in " + part);
            }
            throw e;
        }
        if (part != null) {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        ctx.info("done: " + totals.blobs + " blobs, " + totals.records + " records, " + totals.skipped
                + " skipped" + (totals.skipped > 0 ? " (named above)" : ""));
        return 0;
    }

    private static final class Totals {
        long blobs;
        long records;
        long skipped;
    }

    private Totals fetchAndWrite(ManagementApi api, List<ContentBlob> blobs, RecordFormat out) throws IOException {
        Totals t = new Totals();
        out.begin();
        if (blobs.isEmpty()) {
            out.end();
            return t;
        }
        BlobFetcher fetcher = new BlobFetcher(api, ctx);
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(concurrency, blobs.size()), r -> {
            Thread th = new Thread(r, "o365-audit-fetch-" + n.incrementAndGet());
            th.setDaemon(true);
            return th;
        });
        CompletionService<BlobFetcher.Result> done = new ExecutorCompletionService<>(pool);
        List<Future<BlobFetcher.Result>> futures = new ArrayList<>();
        Progress progress = new Progress(blobs.size());
        boolean ok = false;
        try {
            for (ContentBlob b : blobs) {
                futures.add(done.submit(() -> fetcher.fetch(b)));
            }
            for (int i = 0; i < blobs.size(); i++) {
                BlobFetcher.Result r;
                try {
                    r = done.take().get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException re) {
                        throw re;
                    }
                    throw CliException.failure(String.valueOf(cause), cause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw CliException.failure("interrupted", e);
                }
                if (r.isSkipped()) {
                    t.skipped++;
                    ctx.warn("skipped blob " + r.blob().contentId() + ": " + r.skipped());
                } else {
                    try (RecordBuffer records = r.records()) {
                        records.forEach(line -> {
                            try {
                                out.record(line);
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        });
                        t.records += records.records();
                        t.blobs++;
                    }
                }
                progress.update(t);
            }
            out.end();
            ok = true;
        } finally {
            pool.shutdownNow();
            progress.finish();
            if (!ok) {
                discard(pool, futures);
            }
        }
        return t;
    }

    /** After a failure: lets the workers stop, then drops the buffers of blobs fetched but not written. */
    private static void discard(ExecutorService pool, List<Future<BlobFetcher.Result>> futures) {
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Future<BlobFetcher.Result> f : futures) {
            if (f.isDone() && !f.isCancelled()) {
                try {
                    BlobFetcher.Result r = f.get();
                    if (r.records() != null) {
                        r.records().close();
                    }
                } catch (ExecutionException | InterruptedException | RuntimeException ignored) {
                    // nothing to release
                }
            }
        }
    }

    /** The progress line, on stderr, only when stderr is a terminal. */
    private final class Progress {
        private final int total;
        private long lastNanos;
        private boolean shown;

        Progress(int total) {
            this.total = total;
        }

        void update(Totals t) {
            if (!ctx.interactive()) {
                return;
            }
            long now = System.nanoTime();
            long doneCount = t.blobs + t.skipped;
            if (doneCount < total && now - lastNanos < 200_000_000L) {
                return;
            }
            lastNanos = now;
            shown = true;
            ctx.progress("\rexport: " + doneCount + "/" + total + " blobs, " + t.records + " records, " + t.skipped
                    + " skipped ");
        }

        void finish() {
            if (shown) {
                ctx.progress("\n");
            }
        }
    }
}
