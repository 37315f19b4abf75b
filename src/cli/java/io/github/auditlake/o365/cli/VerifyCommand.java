package io.github.auditlake.o365.cli;

import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.Version;
import io.github.auditlake.o365.cli.verify.Attestation;
import io.github.auditlake.o365.cli.verify.ReportOutput;
import io.github.auditlake.o365.cli.verify.Verifier;
import io.github.auditlake.o365.cli.verify.VerifyException;
import io.github.auditlake.o365.cli.verify.VerifyReport;
import io.github.auditlake.o365.settings.DestinationSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code verify}: proves a range complete against the connector's ledger. This class holds no Kafka type (picocli
 * builds every command at start-up, and the other commands must not load Kafka): the reading is done by
 * {@link Verifier} in the {@code cli.verify} package.
 */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Proves a range complete: the API's listing against the connector's ledger topic (and the audit topics).",
            "",
            "Lists every content blob of the tenant and range (all pages, every content type asked for), reads the "
                    + "ledger topic from its beginning to the end offsets at the start, and reports per content type "
                    + "and hour of contentCreated: blobs listed, in the ledger (delivered or skipped with the reason), "
                    + "missing (listed, not in the ledger), pending (created within --grace), and with --data "
                    + "mismatched (the audit topics hold another count or chained SHA-256 than the ledger says)."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:complete: nothing missing or mismatched",
            "1:failure: the check could not be made (API or Kafka error; one line on stderr says why)",
            "2:usage error",
            "4:NOT complete: at least one blob missing or mismatched (named in the report)"
        })
final class VerifyCommand extends ApiCommand {
    /** The exit code of a range that is not complete. */
    static final int INCOMPLETE = 4;

    @Option(
            names = "--content-type",
            paramLabel = "T",
            defaultValue = "all",
            description = "Content type(s) to verify, as for content list; default: all.")
    String contentType;

    @Option(
            names = "--start",
            paramLabel = "TIME",
            defaultValue = "-24h",
            description = "Start of the contentCreated range (inclusive), at most 7 days ago; default: -24h.")
    String start;

    @Option(names = "--end", paramLabel = "TIME", defaultValue = "now", description = "End (exclusive); default: now.")
    String end;

    @Option(
            names = "--bootstrap-server",
            required = true,
            paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers (comma-separated), as for Kafka's own tools.")
    String bootstrapServer;

    @Option(
            names = "--command-config",
            paramLabel = "FILE",
            description = "Kafka client properties (security.protocol, sasl.*, ssl.*...), as Kafka's own tools take "
                    + "them. Default isolation.level: read_committed.")
    Path commandConfig;

    @Option(
            names = "--ledger-topic",
            paramLabel = "TOPIC",
            defaultValue = Verifier.DEFAULT_LEDGER_TOPIC,
            description = "The ledger topic (the connector's o365.ledger.topic); default: ${DEFAULT-VALUE}.")
    String ledgerTopic;

    @Option(
            names = "--data",
            description = "Also read the audit topics and recompute each blob's record count and chained SHA-256 "
                    + "from the records' o365.content.id and o365.record.index headers.")
    boolean data;

    @Option(
            names = "--topic-template",
            paramLabel = "TEMPLATE",
            description = "With --data: the connector's topic setting; ${contentType} and ${tenant} are filled in "
                    + "as the connector does. Default: the connector's default (o365-audit).")
    String topicTemplate;

    @Option(
            names = "--data-topic",
            paramLabel = "TOPIC",
            split = ",",
            description = "With --data: read these audit topics instead of those of --topic-template "
                    + "(repeatable or comma-separated).")
    List<String> dataTopics;

    @Option(
            names = "--grace",
            paramLabel = "DURATION",
            defaultValue = "30m",
            description = "Blobs created this recently are pending, not missing: the connector may not have delivered "
                    + "them yet (e.g. 30m, 2h, 0m); default: ${DEFAULT-VALUE}.")
    String grace;

    @Option(names = "--json", description = "The report as JSON instead of a tab-separated table.")
    boolean json;

    @Option(
            names = "--attest",
            paramLabel = "FILE",
            description = "Also write the attestation: a self-contained HTML page for an auditor.")
    Path attest;

    @Option(
            names = "--ledger-dump",
            paramLabel = "FILE",
            description = "Also write the range's ledger entries as hashed (canonical JSON lines, sorted by key): "
                    + "sha256sum FILE gives the report's ledger range SHA-256.")
    Path ledgerDump;

    VerifyCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected int execute() {
        Instant now = ctx.clock().instant();
        List<ContentType> types = ContentTypes.parse(contentType);
        Times.Window range = Times.range(start, end, now);
        Duration graceDuration = parseGrace(grace);
        if (!data && (topicTemplate != null || dataTopics != null)) {
            throw CliException.usage("--topic-template and --data-topic need --data");
        }
        if (topicTemplate != null && dataTopics != null) {
            throw CliException.usage("give --topic-template or --data-topic, not both");
        }
        for (Path p : new Path[] {attest, ledgerDump}) {
            if (p != null) {
                OutputFiles.refuseLink(p, "the output file");
            }
        }
        Properties kafka = kafkaProperties();
        String tenant = settings().tenantId();
        List<String> topics = data ? dataTopics(tenant, types) : List.of();

        List<ContentBlob> listed = new ArrayList<>();
        try (ManagementApi api = openApi()) {
            Listings listings = new Listings(api, ctx);
            for (ContentType type : types) {
                for (ContentBlob b : listings.blobs(List.of(type), range)) {
                    listed.add(new ContentBlob(
                            type.wireName(), b.contentId(), b.contentUri(), b.contentCreated(), b.contentExpiration()));
                }
            }
        }
        ctx.debug("listed " + listed.size() + " blobs");
        VerifyReport.Meta meta = new VerifyReport.Meta(
                tenant,
                range.start(),
                range.end(),
                now,
                CliContext.PROGRAM + " " + Version.get(),
                bootstrapServer,
                ledgerTopic,
                data,
                topics,
                graceDuration,
                types.stream().map(ContentType::wireName).toList(),
                // the command line as given, secrets masked (global options such as --client-secret are in it)
                ctx.redact(String.join(" ", spec.commandLine().getParseResult().originalArgs())));
        VerifyReport report;
        try {
            report = Verifier.verify(new Verifier.Request(kafka, ledgerTopic, topics, meta, ctx::debug), listed, now);
        } catch (VerifyException e) {
            throw CliException.failure(e.getMessage(), e);
        }
        write(ctx.out(), json ? ReportOutput.json(report) : ReportOutput.table(report));
        if (attest != null) {
            try (OutputStream o = OutputFiles.createPrivate(attest)) {
                write(o, Attestation.html(report));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (ledgerDump != null) {
            try (OutputStream o = OutputFiles.createPrivate(ledgerDump)) {
                o.write(report.ledgerLines().getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        ctx.info(ReportOutput.summary(report));
        return report.complete() ? 0 : INCOMPLETE;
    }

    private static void write(OutputStream out, String text) {
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The audit topics: named, or the template filled for the tenant and each content type (as the connector). */
    private List<String> dataTopics(String tenant, List<ContentType> types) {
        if (dataTopics != null) {
            List<String> named = dataTopics.stream()
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .toList();
            if (named.isEmpty()) {
                throw CliException.usage("--data-topic is empty");
            }
            return named;
        }
        String template = topicTemplate != null ? topicTemplate : DestinationSettings.TOPIC.defaultValue();
        Set<String> out = new LinkedHashSet<>();
        for (ContentType t : types) {
            out.add(template.replace("${contentType}", t.topicToken()).replace("${tenant}", tenant));
        }
        return new ArrayList<>(out);
    }

    private Properties kafkaProperties() {
        Properties p = new Properties();
        if (commandConfig != null) {
            OutputFiles.refuseLink(commandConfig, "--command-config");
            try (InputStream in = Files.newInputStream(commandConfig)) {
                p.load(in);
            } catch (IOException e) {
                throw CliException.usage("cannot read --command-config " + commandConfig + ": " + e.getMessage());
            }
            p.stringPropertyNames().stream()
                    .filter(k -> k.contains("password") || k.contains("jaas") || k.contains("secret"))
                    .forEach(k -> ctx.secret(p.getProperty(k)));
        }
        p.put("bootstrap.servers", bootstrapServer);
        return p;
    }

    /** 30m, 2h, 45s, 1d, or a bare number of minutes. */
    static Duration parseGrace(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (t.matches("\\d{1,6}")) {
                return Duration.ofMinutes(Long.parseLong(t));
            }
            if (t.matches("\\d{1,6}[smhd]")) {
                long n = Long.parseLong(t.substring(0, t.length() - 1));
                return switch (t.charAt(t.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
        } catch (NumberFormatException e) {
            // falls through to the usage error
        }
        throw CliException.usage("--grace '" + text + "' is not a duration: use e.g. 30m, 2h, 0m");
    }
}
