package io.github.auditlake.o365.cli;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.Notification;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code notifications list}. */
@Command(
        name = "notifications",
        mixinStandardHelpOptions = true,
        description = "The webhook delivery history of a subscription.",
        subcommands = {NotificationsCommand.ListCmd.class})
final class NotificationsCommand {

    /** {@code notifications list}. */
    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = {
                "Lists the webhook notifications of a time range.",
                "",
                "Every webhook notification the service sent for blobs created in [start, end) (all "
                        + "pages, 24 h windows): contentType, contentId, contentCreated, notificationSent, "
                        + "notificationStatus, contentUri. Empty unless the subscription has a webhook."
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
            List<Notification> all;
            try (ManagementApi api = openApi()) {
                all = new Listings(api, ctx).notifications(types, range);
            }
            if (json) {
                Output.json(
                        ctx.out(),
                        all.stream()
                                .map(n -> {
                                    Map<String, Object> m = new LinkedHashMap<>(ContentCommand.blobJson(n.blob()));
                                    m.put(
                                            "notificationSent",
                                            n.notificationSent() == null
                                                    ? null
                                                    : n.notificationSent().toString());
                                    m.put("notificationStatus", n.notificationStatus());
                                    return m;
                                })
                                .toList());
            } else {
                Output.table(
                        ctx.out(),
                        List.of(
                                "contentType",
                                "contentId",
                                "contentCreated",
                                "notificationSent",
                                "notificationStatus",
                                "contentUri"),
                        all.stream()
                                .map(n -> List.of(
                                        Output.text(n.blob().contentType()),
                                                n.blob().contentId(),
                                        Output.text(n.blob().contentCreated()), Output.text(n.notificationSent()),
                                        Output.text(n.notificationStatus()),
                                                n.blob().contentUri()))
                                .toList());
            }
            return 0;
        }
    }
}
