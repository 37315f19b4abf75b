package io.github.auditlake.o365.cli;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.Subscription;
import java.time.Instant;
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

    /** {@code subscriptions start}. */
    @Command(
            name = "start",
            mixinStandardHelpOptions = true,
            description = {
                "Starts subscriptions (already enabled is success).",
                "",
                "Starts the subscription of each content type (already enabled is success), optionally "
                        + "with a webhook. The service allows one start request per 15 minutes; a new subscription can "
                        + "take up to 12 hours to list content."
            })
    static final class Start extends ApiCommand {
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

        Start(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int execute() {
            List<ContentType> types = ContentTypes.parse(contentType);
            ManagementApi.WebhookRequest webhook = null;
            if (webhookAddress != null) {
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
            try (ManagementApi api = openApi()) {
                for (ContentType t : types) {
                    Subscription s = api.startSubscription(t, webhook);
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("contentType", s.contentType() == null ? t.wireName() : s.contentType());
                    row.put("status", s.status() == null ? "enabled" : s.status());
                    row.put("webhook", webhook(s.webhook()));
                    rows.add(tableRow(row));
                }
            }
            Output.table(ctx.out(), HEADER, rows);
            return 0;
        }
    }

    /** {@code subscriptions stop}. */
    @Command(
            name = "stop",
            mixinStandardHelpOptions = true,
            description = {
                "Stops subscriptions.",
                "",
                "Stops the subscription of each content type. Content created while a subscription is "
                        + "stopped is never available, even after a later start."
            })
    static final class Stop extends ApiCommand {
        @Option(
                names = "--content-type",
                required = true,
                paramLabel = "T",
                description = "Content type(s): Audit.AzureActiveDirectory, Audit.Exchange, Audit.SharePoint, "
                        + "Audit.General, DLP.All, a comma-separated list, or all.")
        String contentType;

        Stop(CliContext ctx) {
            super(ctx);
        }

        @Override
        protected int execute() {
            List<ContentType> types = ContentTypes.parse(contentType);
            List<List<String>> rows = new ArrayList<>();
            try (ManagementApi api = openApi()) {
                for (ContentType t : types) {
                    api.stopSubscription(t);
                    rows.add(List.of(t.wireName(), "disabled", "", "", ""));
                }
            }
            Output.table(ctx.out(), HEADER, rows);
            return 0;
        }
    }
}
