package io.github.auditlake.o365.cli;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ErrorClassifier;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.Subscription;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code subscriptions list|start|stop}. */
@Command(
        name = "subscriptions",
        mixinStandardHelpOptions = true,
        description = "List, start and stop the tenant's subscriptions (one per content type).",
        subcommands = {
            SubscriptionsCommand.ListCmd.class,
            SubscriptionsCommand.Start.class,
            SubscriptionsCommand.Stop.class
        })
final class SubscriptionsCommand {

    /** The status shown for a content type the API lists no subscription for. */
    static final String NONE = "none";

    /** Every content type with its subscription as the API reports it ({@code none}: never started). */
    static List<Map<String, Object>> rows(List<Subscription> subs) {
        Map<String, Map<String, Object>> byType = new LinkedHashMap<>();
        for (ContentType t : ContentType.values()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("contentType", t.wireName());
            row.put("status", NONE);
            row.put("webhook", null);
            byType.put(t.wireName().toLowerCase(Locale.ROOT), row);
        }
        for (Subscription s : subs) {
            String name = s.contentType() == null ? "?" : s.contentType();
            Map<String, Object> row = byType.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new LinkedHashMap<>());
            row.put("contentType", name);
            row.put("status", s.status());
            row.put("webhook", webhook(s.webhook()));
        }
        return new ArrayList<>(byType.values());
    }

    /** The webhook as JSON; the authId is a shared secret and is masked. */
    static Map<String, Object> webhook(Subscription.Webhook w) {
        if (w == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", w.status());
        m.put("address", w.address());
        m.put("expiration", w.expiration() == null ? "" : w.expiration());
        m.put("authId", w.authId() == null || w.authId().isEmpty() ? "" : "***");
        return m;
    }

    static List<String> tableRow(Map<String, Object> row) {
        @SuppressWarnings("unchecked")
        Map<String, Object> w = (Map<String, Object>) row.get("webhook");
        return List.of(
                Output.text(row.get("contentType")),
                Output.text(row.get("status")),
                w == null ? "" : Output.text(w.get("address")),
                w == null ? "" : Output.text(w.get("status")),
                w == null ? "" : Output.text(w.get("expiration")));
    }

    static final List<String> HEADER =
            List.of("contentType", "status", "webhookAddress", "webhookStatus", "webhookExpiration");

    /** {@code subscriptions list}. */
    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "Each content type with its subscription status as the API reports it (enabled, disabled; "
                    + "none = never started) and its webhook, if any.")
    static final class ListCmd extends ApiCommand {
        @Option(names = "--json", description = "JSON instead of a tab-separated table.")
        boolean json;

        ListCmd(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int execute() {
            List<Subscription> subs;
            try (ManagementApi api = openApi()) {
                subs = api.listSubscriptions();
            }
            List<Map<String, Object>> rows = rows(subs);
            if (json) {
                Output.json(ctx.out(), rows);
            } else {
                Output.table(
                        ctx.out(),
                        HEADER,
                        rows.stream().map(SubscriptionsCommand::tableRow).toList());
            }
            return 0;
        }
    }

    /** What is lost while a subscription is stopped (reference 2.3). */
    static final String LOST =
            "content created while a subscription is stopped is never available, even after a " + "later start";

    /**
     * When the next start of a content type is allowed after a start refused by the 15-minute rule: at the latest
     * 15 minutes from the refusal (the API tells neither the last start nor the time left).
     */
    static Instant nextStartAllowed(Instant refusedAt) {
        return refusedAt.plus(ErrorClassifier.START_SPACING).truncatedTo(ChronoUnit.SECONDS);
    }

    /** The sentence the CLI and doctor give after a start refused by the 15-minute rule. */
    static String nextStartText(ContentType type, Instant refusedAt) {
        return allowedText(type, nextStartAllowed(refusedAt));
    }

    /** The sentence for the time the next start is allowed (also what {@code doctor} says). */
    static String allowedText(ContentType type, Instant nextAllowed) {
        return "the next start of " + type.wireName() + " is allowed at " + nextAllowed
                + " at the latest (15 minutes after the refused start; sooner if the last start was earlier)";
    }

    /** {@code subscriptions start}. */
    @Command(
            name = "start",
            mixinStandardHelpOptions = true,
            description = {
                "Starts subscriptions (already enabled is success).",
                "",
                "Starts the subscription of each content type (already enabled is success), optionally "
                        + "with a webhook. Every requested content type is tried, and each one's result is shown "
                        + "(started, already enabled, webhook updated, failed); the exit code is 1 if any failed. "
                        + "An existing webhook is kept unless --webhook-address replaces it or --no-webhook removes "
                        + "it. The service allows one start request per content type every 15 minutes: a start "
                        + "refused by that rule is not retried, and the time the next start is allowed is shown. A "
                        + "new subscription can take up to 12 hours to list content."
            })
    static final class Start extends ApiCommand {
        static final List<String> START_HEADER =
                List.of("contentType", "status", "webhookAddress", "webhookStatus", "webhookExpiration", "result");

        @Option(
                names = "--content-type",
                required = true,
                paramLabel = "T",
                description = "Content type(s): Audit.AzureActiveDirectory, Audit.Exchange, "
                        + "Audit.SharePoint, Audit.General, DLP.All, a comma-separated list, or all.")
        String contentType;

        @Option(
                names = "--webhook-address",
                paramLabel = "URL",
                description =
                        "https address the service " + "notifies (it must answer the validation POST with HTTP 200).")
        String webhookAddress;

        @Option(
                names = "--webhook-auth-id",
                paramLabel = "ID",
                description = "Value the service sends in the Webhook-AuthID header.")
        String webhookAuthId;

        @Option(
                names = "--webhook-expiration",
                paramLabel = "TIME",
                description = "When the webhook expires (e.g. 2026-12-31T00:00:00Z or +30d); default: never.")
        String webhookExpiration;

        @Option(
                names = "--no-webhook",
                description = "Remove an existing webhook. Without it (and without --webhook-address) an existing "
                        + "webhook is kept.")
        boolean noWebhook;

        Start(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int execute() {
            List<ContentType> types = ContentTypes.parse(contentType);
            ManagementApi.WebhookRequest webhook = null;
            if (webhookAddress != null) {
                if (noWebhook) {
                    throw CliException.usage("--no-webhook and --webhook-address cannot be used together");
                }
                Instant expiration = webhookExpiration == null
                        ? null
                        : Times.parse(
                                "--webhook-expiration",
                                webhookExpiration,
                                ctx.clock().instant());
                webhook = new ManagementApi.WebhookRequest(webhookAddress.trim(), webhookAuthId, expiration);
                ctx.secret(webhookAuthId);
            } else if (webhookAuthId != null || webhookExpiration != null) {
                throw CliException.usage("--webhook-auth-id and --webhook-expiration need --webhook-address");
            }
            List<List<String>> rows = new ArrayList<>();
            int failed = 0;
            try (ManagementApi api = openApi()) {
                Map<String, Subscription> before = new LinkedHashMap<>();
                for (Subscription s : api.listSubscriptions()) {
                    if (s.contentType() != null) {
                        before.put(s.contentType().toLowerCase(Locale.ROOT), s);
                        if (s.webhook() != null) {
                            ctx.secret(s.webhook().authId());
                        }
                    }
                }
                for (ContentType t : types) {
                    Subscription old = before.get(t.wireName().toLowerCase(Locale.ROOT));
                    String result;
                    Subscription now;
                    try {
                        ManagementApi.WebhookRequest send = webhook != null || noWebhook ? webhook : kept(t, old);
                        now = api.startSubscription(t, send);
                        boolean wasEnabled = old != null && old.enabled();
                        result = !wasEnabled
                                ? "started"
                                : webhook != null || (noWebhook && old.webhook() != null)
                                        ? "webhook updated"
                                        : "already enabled";
                    } catch (ApiException | CliException e) {
                        failed++;
                        String reason = e.getMessage();
                        if (e instanceof ApiException a && a.kind() == ErrorKind.START_LIMIT) {
                            Instant refusedAt = ctx.clock().instant();
                            reason = reason + " " + capitalised(nextStartText(t, refusedAt)) + ".";
                            StartRefusals.record(ctx, api.tenantId(), t, nextStartAllowed(refusedAt));
                        }
                        ctx.error(t.wireName() + " not started: " + reason);
                        now = old == null ? new Subscription(t.wireName(), NONE, null) : old;
                        result = "failed";
                    }
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("contentType", now.contentType() == null ? t.wireName() : now.contentType());
                    row.put("status", now.status() == null ? "enabled" : now.status());
                    row.put("webhook", webhook(now.webhook()));
                    List<String> cells = new ArrayList<>(tableRow(row));
                    cells.add(result);
                    rows.add(cells);
                }
            }
            Output.table(ctx.out(), START_HEADER, rows);
            if (failed > 0 && types.size() > 1) {
                ctx.error(failed + " of " + types.size() + " subscription(s) failed to start (see above); the "
                        + "others were started or already enabled. Nothing is collected for a content type whose "
                        + "subscription is not enabled.");
            }
            return failed > 0 ? CliException.FAILURE : 0;
        }

        /** The existing webhook, sent again so that the start keeps it (a start without one removes it, ref. 2.1). */
        private ManagementApi.WebhookRequest kept(ContentType t, Subscription old) {
            if (old == null || old.webhook() == null || old.webhook().address() == null) {
                return null;
            }
            Subscription.Webhook w = old.webhook();
            Instant expiration = null;
            if (w.expiration() != null && !w.expiration().isBlank()) {
                try {
                    expiration = OffsetDateTime.parse(w.expiration().trim()).toInstant();
                } catch (DateTimeParseException e) {
                    try {
                        expiration = LocalDateTime.parse(w.expiration().trim()).toInstant(ZoneOffset.UTC);
                    } catch (DateTimeParseException e2) {
                        expiration = null;
                    }
                }
                if (expiration == null || !expiration.isAfter(ctx.clock().instant())) {
                    throw CliException.failure(
                            "its webhook " + w.address() + " expired (" + w.expiration() + "), so it cannot be kept: "
                                    + "renew it with --webhook-address (and --webhook-expiration), or remove it "
                                    + "with --no-webhook",
                            null);
                }
            }
            ctx.debug("keeping the webhook " + w.address() + " of " + t.wireName());
            return new ManagementApi.WebhookRequest(w.address(), w.authId(), expiration);
        }
    }

    private static String capitalised(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** {@code subscriptions stop}. */
    @Command(
            name = "stop",
            mixinStandardHelpOptions = true,
            description = {
                "Stops subscriptions.",
                "",
                "Stops the subscription of each content type. Content created while a subscription is "
                        + "stopped is never available, even after a later start. Asks for confirmation on a "
                        + "terminal; without a terminal (scripts, cron) --yes is required."
            })
    static final class Stop extends ApiCommand {
        @Option(
                names = "--content-type",
                required = true,
                paramLabel = "T",
                description = "Content type(s): Audit.AzureActiveDirectory, Audit.Exchange, Audit.SharePoint, "
                        + "Audit.General, DLP.All, a comma-separated list, or all.")
        String contentType;

        @Option(
                names = {"--yes", "-y"},
                description = "Stop without asking (required when there is no terminal to ask).")
        boolean yes;

        Stop(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int execute() {
            List<ContentType> types = ContentTypes.parse(contentType);
            String names =
                    String.join(", ", types.stream().map(ContentType::wireName).toList());
            if (!yes) {
                String answer = ctx.ask(
                        "Stop the subscription of " + names + "? " + capitalised(LOST) + ". Type yes to stop: ");
                if (answer == null) {
                    throw CliException.usage("stopping a subscription needs --yes when there is no terminal to "
                            + "ask: " + LOST + ". Nothing was stopped.");
                }
                String a = answer.trim().toLowerCase(Locale.ROOT);
                if (!a.equals("yes") && !a.equals("y")) {
                    ctx.error("not confirmed; nothing was stopped");
                    return CliException.FAILURE;
                }
            }
            List<List<String>> rows = new ArrayList<>();
            try (ManagementApi api = openApi()) {
                for (ContentType t : types) {
                    api.stopSubscription(t);
                    rows.add(List.of(t.wireName(), "disabled", "", "", ""));
                }
            }
            Output.table(ctx.out(), HEADER, rows);
            ctx.warn("stopped " + names + ": " + LOST + "; start it again with: o365-audit subscriptions start "
                    + "--content-type " + contentType);
            return 0;
        }
    }
}
