package io.github.auditlake.o365.cli;

import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ManagementApi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code content list|get}. */
@Command(
        name = "content",
        mixinStandardHelpOptions = true,
        description = "List the content blobs of a time range, or print one blob's records.",
        subcommands = {ContentCommand.ListCmd.class, ContentCommand.Get.class})
final class ContentCommand {

    /** {@code content list}. */
    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = {
                "Lists the content blobs of a time range.",
                "",
                "Every content blob whose contentCreated lies in [start, end): all pages, ranges longer "
                        + "than 24 h split into API windows. One blob per line: contentType, contentId, contentCreated, "
                        + "contentExpiration, contentUri (tab-separated, with a header; never truncated)."
            })
    static final class ListCmd extends ApiCommand {
        @Mixin
        RangeOptions range;

        @Option(names = "--json", description = "JSON instead of a tab-separated table.")
        boolean json;

        ListCmd(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int execute() {
            List<ContentType> types = this.range.types();
            Times.Window range = this.range.window(ctx.clock().instant());
            List<ContentBlob> blobs;
            try (ManagementApi api = openApi()) {
                blobs = new Listings(api, ctx).blobs(types, range);
            }
            if (json) {
                Output.json(
                        ctx.out(), blobs.stream().map(ContentCommand::blobJson).toList());
            } else {
                Output.table(
                        ctx.out(),
                        List.of("contentType", "contentId", "contentCreated", "contentExpiration", "contentUri"),
                        blobs.stream()
                                .map(b -> List.of(
                                        Output.text(b.contentType()),
                                        b.contentId(),
                                        Output.text(b.contentCreated()),
                                        Output.text(b.contentExpiration()),
                                        b.contentUri()))
                                .toList());
            }
            return 0;
        }
    }

    static Map<String, Object> blobJson(ContentBlob b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("contentType", b.contentType());
        m.put("contentId", b.contentId());
        m.put("contentUri", b.contentUri());
        m.put("contentCreated", Output.text(b.contentCreated()));
        m.put(
                "contentExpiration",
                b.contentExpiration() == null ? null : b.contentExpiration().toString());
        return m;
    }

    /** {@code content get}. */
    @Command(
            name = "get",
            mixinStandardHelpOptions = true,
            description = {
                "Prints one blob's records, one JSON record per line.",
                "",
                "Prints one blob's records as their original JSON text, one record per line. Give the "
                        + "contentUri from a listing, or a bare contentId (fetched from the API base of the tenant)."
            })
    static final class Get extends ApiCommand {
        @Parameters(index = "0", paramLabel = "URI|CONTENT_ID", description = "A contentUri or a contentId.")
        String target;

        @Option(
                names = "--enrich",
                description =
                        "Each line becomes {\"record\":<the original record, byte for byte>,\"enrichment\":{...}}: "
                                + "who is behind the record's GUIDs, from Microsoft Graph, as export --enrich writes it.")
        boolean enrich;

        Get(CliContext ctx) {
            super(ctx);
        }

        /** Longer than the fetch's own retry budget, which ends the command first with its own message. */
        @Override
        protected java.time.Duration defaultTimeout() {
            return BlobFetcher.UNKNOWN_EXPIRATION_BUDGET.plus(java.time.Duration.ofMinutes(5));
        }

        @Override
        protected int execute() {
            String t = target.trim();
            if (t.isEmpty()) {
                throw CliException.usage("give a contentUri or a contentId");
            }
            String uri;
            String id;
            if (t.regionMatches(true, 0, "https://", 0, 8) || t.regionMatches(true, 0, "http://", 0, 7)) {
                uri = t;
                String path = t.contains("?") ? t.substring(0, t.indexOf('?')) : t;
                id = path.substring(path.lastIndexOf('/') + 1);
            } else {
                id = t;
                uri = settings().apiBaseUrl() + "/api/v1.0/"
                        + URLEncoder.encode(settings().tenantId(), StandardCharsets.UTF_8)
                        + "/activity/feed/audit/" + t;
            }
            if (id.indexOf('$') < 0) {
                ctx.warn("this contentId has no '$', and every contentId the API lists has several "
                        + "(2026...$2026...$audit_exchange$Audit_Exchange$na0021): if it was typed unquoted, the shell "
                        + "dropped each '$' and what follows it. Put the contentId or contentUri in single quotes");
            }
            // the content type and expiration are unknown here: the fetch is bounded by a fixed retry budget
            ContentBlob blob = new ContentBlob(null, id, uri, ctx.clock().instant(), null);
            BlobFetcher.Result r;
            try (ManagementApi api = openApi()) {
                try (StillWorking still = StillWorking.start(ctx, () -> "fetching blob " + id)) {
                    r = new BlobFetcher(api, ctx).fetch(blob);
                }
            }
            if (r.isSkipped()) {
                throw CliException.failure("blob " + id + " cannot be fetched: " + r.skipped(), null);
            }
            try (RecordBuffer records = r.records();
                    CliEnrichment enrichment = enrich
                            ? CliEnrichment.open(
                                    ctx, clientSettings(), settings().enrichSettings())
                            : null) {
                Writer w = Output.writer(ctx.out());
                RecordFormat out = RecordFormat.of("jsonl", List.of(), w);
                if (enrichment != null) {
                    out = enrichment.wrap(out);
                }
                RecordFormat format = out;
                records.forEach(line -> {
                    try {
                        format.record(line);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                format.end();
                w.flush();
                if (enrichment != null) {
                    enrichment.summary();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return 0;
        }
    }
}
