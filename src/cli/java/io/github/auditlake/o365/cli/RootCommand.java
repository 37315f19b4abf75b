package io.github.auditlake.o365.cli;

import io.github.auditlake.o365.api.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Mixin;

/** {@code o365-audit}: the command group; the work is done by the subcommands. */
@Command(
        name = CliContext.PROGRAM,
        mixinStandardHelpOptions = true,
        versionProvider = RootCommand.VersionInfo.class,
        sortOptions = false,
        description = {
            "The operator's tool for the Office 365 Management Activity API: subscriptions, content "
                    + "listings, blob downloads, exports of a time range, a health check (doctor), and a completeness check against the connector's "
                    + "ledger (verify).",
            "",
            "Credentials come from options, the environment (O365_TENANT_ID, O365_CLIENT_ID, O365_CLIENT_SECRET, "
                    + "O365_CLIENT_CERTIFICATE_PATH, O365_CLIENT_CERTIFICATE_PASSWORD, O365_CLOUD, O365_API_URL, "
                    + "O365_LOGIN_URL, O365_GRAPH_URL, O365_HTTP_PROXY_USER, O365_HTTP_PROXY_PASSWORD) or a connector configuration "
                    + "(--config), in that order of precedence. --client-secret shows in the process list: pass "
                    + "secrets through the environment or --config. A --config file may point only at Microsoft's "
                    + "hosts unless --allow-endpoint HOST[:PORT] (or O365_ENDPOINT_OVERRIDE_HOSTS) allows another.",
            "",
            "Times: 2026-11-28T10:00:00Z, 2026-11-28T10:00:00 (UTC), 2026-11-28, or relative: -24h, -7d, -30m, "
                    + "now. Content types: Audit.AzureActiveDirectory, Audit.Exchange, Audit.SharePoint, "
                    + "Audit.General, DLP.All (any case), a comma-separated list, or all."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:failure (one line on stderr says why)",
            "2:usage error",
            "3:timed out (--timeout)",
            "4:verify: the range is not complete (a blob missing or mismatched)",
            "130:interrupted (Ctrl-C); an export to a file can be resumed (--resume)"
        },
        subcommands = {
            SubscriptionsCommand.class,
            ContentCommand.class,
            ExportCommand.class,
            NotificationsCommand.class,
            DoctorCommand.class,
            VerifyCommand.class
        })
final class RootCommand {
    @Mixin
    GlobalOptions globals;

    /** The version from the build. */
    static final class VersionInfo implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {CliContext.PROGRAM + " " + Version.get()};
        }
    }
}
