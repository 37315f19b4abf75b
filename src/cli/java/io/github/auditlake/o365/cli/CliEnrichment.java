package io.github.auditlake.o365.cli;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.github.auditlake.o365.client.ClientSettings;
import io.github.auditlake.o365.enrich.DirectoryApi;
import io.github.auditlake.o365.enrich.DirectoryObject;
import io.github.auditlake.o365.enrich.EnrichAccess;
import io.github.auditlake.o365.enrich.EnrichField;
import io.github.auditlake.o365.enrich.EnrichSettings;
import io.github.auditlake.o365.enrich.EnrichStats;
import io.github.auditlake.o365.enrich.Enricher;
import io.github.auditlake.o365.enrich.Enrichment;
import io.github.auditlake.o365.enrich.Unenriched;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code --enrich} of {@code export} and {@code content get}: the connector's {@link Enricher} (same fields, batching,
 * cache and bounds) with a Graph token from the same sign-in, cached apart ({@link EnrichAccess}). Records are
 * enriched in chunks: what the engine hands over in one batch (as the connector enriches a poll's batch), at most
 * {@link #CHUNK} records.
 */
final class CliEnrichment implements AutoCloseable {
    /** Records enriched together: their distinct GUIDs go in one lookup round. */
    static final int CHUNK = 1000;
    /**
     * The CLI is not a stream that must keep moving: it waits longer for Graph than the connector's default (unless
     * {@code --config} sets {@code o365.enrich.timeout.ms}).
     */
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** The name of the column of {@code o365.enrich.skipped}, for --fields. */
    static final String SKIPPED_COLUMN = "enrich.skipped";
    /** The attributes a directory object may have, in their documented spelling ({@code --fields actor.upn}). */
    static final List<String> ATTRIBUTES =
            List.of("id", "type", "upn", "displayName", "department", "jobTitle", "appId");

    private final Enricher enricher;
    private final CliContext ctx;

    private CliEnrichment(Enricher enricher, CliContext ctx) {
        this.enricher = enricher;
        this.ctx = ctx;
    }

    /**
     * Signs in to Graph with the command's credential and checks the permission once (a lookup of an id nobody has):
     * a missing permission is a warning naming it, and records go on unenriched ({@code enrich.skipped=denied}).
     */
    static CliEnrichment open(CliContext ctx, ClientSettings cs, EnrichSettings s) {
        DirectoryApi dir = EnrichAccess.directory(cs);
        Optional<String> problem = EnrichAccess.checkPermission(dir, s.kinds(), TIMEOUT);
        problem.ifPresent(p -> ctx.warn("--enrich: " + p + "; records are written unenriched"));
        return new CliEnrichment(new Enricher(s, dir, ctx.clock()), ctx);
    }

    /** For tests: an enricher of one's own. */
    static CliEnrichment of(Enricher enricher, CliContext ctx) {
        return new CliEnrichment(enricher, ctx);
    }

    /** {@code format}, enriching each record before it writes it. */
    RecordFormat wrap(RecordFormat format) {
        return new Enriching(format, enricher);
    }

    EnrichStats stats() {
        return enricher.stats();
    }

    /** The summary line on stderr: what was enriched, what was not and why, and the Graph requests it took. */
    void summary() {
        EnrichStats s = enricher.stats();
        StringBuilder why = new StringBuilder();
        long unenriched = 0;
        for (Unenriched u : Unenriched.values()) {
            long n = s.unenriched(u);
            if (n > 0) {
                why.append(why.length() == 0 ? " (" : ", ")
                        .append(u.label())
                        .append(' ')
                        .append(n);
                unenriched += n;
            }
        }
        if (why.length() > 0) {
            why.append(')');
        }
        ctx.info("enrichment: " + s.enrichedRecords() + " records enriched, " + unenriched + " unenriched" + why
                + ", " + s.requests() + " Graph requests for " + s.idsRequested() + " ids, " + s.cacheHits()
                + " cache hits");
    }

    @Override
    public void close() {
        enricher.close();
    }

    // ------------------------------------------------------------------ --fields

    /** Whether {@code name} names an enrichment column ({@code actor.upn}, {@code enrich.skipped}, ...). */
    static boolean isColumn(String name) {
        int dot = name.indexOf('.');
        if (dot < 0) {
            return false;
        }
        return name.equalsIgnoreCase(SKIPPED_COLUMN)
                || EnrichField.fromConfigName(name.substring(0, dot)).isPresent();
    }

    /** The column in its documented spelling ({@code Actor.UPN} is {@code actor.upn}); a usage error if unknown. */
    static String column(String name) {
        if (name.equalsIgnoreCase(SKIPPED_COLUMN)) {
            return SKIPPED_COLUMN;
        }
        int dot = name.indexOf('.');
        EnrichField f = EnrichField.fromConfigName(name.substring(0, dot)).orElseThrow();
        String attr = name.substring(dot + 1);
        for (String a : ATTRIBUTES) {
            if (a.equalsIgnoreCase(attr)) {
                return f.configName() + "." + a;
            }
        }
        throw CliException.usage("unknown --fields name '" + name + "': an enrichment column is <who>.<attribute>, "
                + "who one of " + roles() + ", attribute one of " + String.join(", ", ATTRIBUTES) + "; or "
                + SKIPPED_COLUMN);
    }

    static String roles() {
        List<String> r = new ArrayList<>();
        for (EnrichField f : EnrichField.values()) {
            r.add(f.configName());
        }
        return String.join(", ", r);
    }

    /** The value of an enrichment column for a record's enrichment (null when absent). */
    static String cell(String column, Enrichment e) {
        if (e == null) {
            return null;
        }
        if (column.equals(SKIPPED_COLUMN)) {
            return e.skipped() == null ? null : e.skipped().label();
        }
        int dot = column.indexOf('.');
        EnrichField f = EnrichField.fromConfigName(column.substring(0, dot)).orElseThrow();
        DirectoryObject o = e.objects().get(f);
        return o == null ? null : o.attributes().get(column.substring(dot + 1));
    }

    /** The enrichment as the sibling object of a jsonl or json record: {@code {"actor":{...},"skipped":"..."}}. */
    static String json(Enrichment e) {
        StringBuilder sb = new StringBuilder("{");
        JsonStringEncoder enc = JsonStringEncoder.getInstance();
        boolean first = true;
        for (EnrichField f : EnrichField.values()) {
            DirectoryObject o = e.objects().get(f);
            if (o == null) {
                continue;
            }
            sb.append(first ? "" : ",").append('"').append(f.configName()).append("\":{");
            first = false;
            boolean a = true;
            for (Map.Entry<String, String> kv : o.attributes().entrySet()) {
                sb.append(a ? "" : ",").append('"').append(kv.getKey()).append("\":\"");
                sb.append(enc.quoteAsString(kv.getValue())).append('"');
                a = false;
            }
            sb.append('}');
        }
        if (e.skipped() != null) {
            sb.append(first ? "" : ",")
                    .append("\"skipped\":\"")
                    .append(e.skipped().label())
                    .append('"');
        }
        return sb.append('}').toString();
    }

    /** A format that enriches records in chunks and hands each, with its enrichment, to the format it wraps. */
    static final class Enriching extends RecordFormat {
        private final RecordFormat inner;
        private final Enricher enricher;
        private final List<String> pending = new ArrayList<>();

        Enriching(RecordFormat inner, Enricher enricher) {
            super(inner.out);
            this.inner = inner;
            this.enricher = enricher;
        }

        @Override
        void begin() throws IOException {
            inner.begin();
        }

        @Override
        void resumeAfter(long records) {
            inner.resumeAfter(records);
        }

        @Override
        void record(String json) throws IOException {
            pending.add(json);
            if (pending.size() >= CHUNK) {
                flush();
            }
        }

        @Override
        void flush() throws IOException {
            if (pending.isEmpty()) {
                return;
            }
            List<Enrichment> es = enricher.enrich(pending);
            for (int i = 0; i < pending.size(); i++) {
                inner.record(pending.get(i), es.get(i));
            }
            pending.clear();
        }

        @Override
        void end() throws IOException {
            flush();
            inner.end();
        }
    }
}
