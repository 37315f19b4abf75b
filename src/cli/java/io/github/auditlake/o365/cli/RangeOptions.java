package io.github.auditlake.o365.cli;

import io.github.auditlake.o365.api.ContentType;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Option;

/** The options every range command shares: content types and a time range (a picocli mixin). */
final class RangeOptions {
    @Option(
            names = "--content-type",
            required = true,
            paramLabel = "T",
            description = "Content type(s): Audit.AzureActiveDirectory, Audit.Exchange, Audit.SharePoint, "
                    + "Audit.General, DLP.All, a comma-separated list, or all.")
    String contentType;

    @Option(
            names = "--start",
            required = true,
            paramLabel = "TIME",
            description = "Start (inclusive), " + "at most 7 days ago: 2026-11-28T10:00:00Z, 2026-11-28, -24h, -7d...")
    String start;

    @Option(names = "--end", paramLabel = "TIME", defaultValue = "now", description = "End (exclusive); default: now.")
    String end;

    List<ContentType> types() {
        return ContentTypes.parse(contentType);
    }

    Times.Window window(Instant now) {
        return Times.range(start, end, now);
    }
}
