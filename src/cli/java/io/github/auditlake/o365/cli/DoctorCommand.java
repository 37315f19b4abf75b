package io.github.auditlake.o365.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.auditlake.o365.api.AccessToken;
import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ErrorClassifier;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.api.Subscription;
import io.github.auditlake.o365.api.TokenProvider;
import io.github.auditlake.o365.client.ClientSettings;
import io.github.auditlake.o365.client.ManagementApis;
import io.github.auditlake.o365.enrich.ObjectKind;
import io.github.auditlake.o365.history.HistoryAccess;
import java.io.IOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code doctor}: checks settings, reachability, clock, sign-in, permissions, subscriptions and recent content. */
@Command(
        name = "doctor",
        mixinStandardHelpOptions = true,
        description = {
            "Checks settings, network, clock, sign-in, permissions, subscriptions and recent content.",
            "",
            "Checks, in order: the settings, the proxy, the sign-in and API endpoints, the clock against "
                    + "the service's Date header, sign-in, the token's permissions (ActivityFeed.Read, and "
                    + "ActivityFeed.ReadDlp for DLP.All), whether audit search (history beyond 7 days) is permitted "
                    + "(AuditLogsQuery.Read.All on a Microsoft Graph token; a WARN at worst), whether enrichment "
                    + "(--enrich) may resolve users, service principals and groups (Directory.Read.All, or "
                    + "User.Read.All, Application.Read.All and GroupMember.Read.All; a WARN at worst), the "
                    + "subscriptions, and whether each enabled subscription listed "
                    + "content in the last 24 hours. One line per check: OK, WARN or FAIL and what it means (--json: "
                    + "one JSON document). A subscription not enabled fails the check when its content type is "
                    + "requested with --content-type, and when no subscription at all is enabled. Exit code 1 "
                    + "when any check fails."
        })
final class DoctorCommand extends ApiCommand {
    static final Duration SKEW_WARN = Duration.ofSeconds(30);
    static final Duration SKEW_FAIL = Duration.ofMinutes(5);
    private static final Pattern GUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    static final String READ = "ActivityFeed.Read";
    static final String READ_DLP = "ActivityFeed.ReadDlp";
    static final String AUDIT_QUERY = "AuditLogsQuery.Read.All";

    private static final String UNIFIED_AUDIT = "unified audit log ingestion must be on "
            + "(Get-AdminAuditLogConfig | Format-List UnifiedAuditLogIngestionEnabled; turn it on with "
            + "Set-AdminAuditLogConfig -UnifiedAuditLogIngestionEnabled $true, which takes up to 60 minutes)";

    /** What to check when an enabled subscription lists nothing for a day, by content type. */
    static final Map<ContentType, String> QUIET_ADVICE = new EnumMap<>(Map.of(
            ContentType.EXCHANGE,
                    "Exchange auditing may be off: mailbox auditing is not on for every mailbox by "
                            + "default (organization: Get-OrganizationConfig | Format-List AuditDisabled must be False, "
                            + "else Set-OrganizationConfig -AuditDisabled $false; a mailbox: Set-Mailbox -Identity <user> "
                            + "-AuditEnabled $true), and " + UNIFIED_AUDIT,
            ContentType.SHAREPOINT, "SharePoint and OneDrive auditing may be off: " + UNIFIED_AUDIT,
            ContentType.AZURE_ACTIVE_DIRECTORY, "Entra ID (Azure AD) auditing may be off: " + UNIFIED_AUDIT,
            ContentType.GENERAL,
                    "auditing of the other workloads (Teams, Power Platform, Forms...) may be off: " + UNIFIED_AUDIT,
            ContentType.DLP_ALL,
                    "DLP events exist only when a data loss prevention policy matches: check that DLP "
                            + "policies are on (Microsoft Purview portal), and " + UNIFIED_AUDIT));

    enum Status {
        OK,
        WARN,
        FAIL
    }

    @Option(names = "--json", description = "The checks as one JSON document on stdout instead of lines.")
    boolean json;

    @Option(
            names = "--content-type",
            paramLabel = "T",
            description = "Content type(s) that must have an enabled subscription (a FAIL otherwise): "
                    + "Audit.AzureActiveDirectory, Audit.Exchange, Audit.SharePoint, Audit.General, DLP.All, a "
                    + "comma-separated list, or all. Default: none in particular, but at least one.")
    String contentType;

    private Writer out;
    private boolean failed;
    private final List<Map<String, Object>> checks = new ArrayList<>();
    /** The last check reported, for the still-working notice (read from its timer thread). */
    private volatile String lastCheck = "none";

    DoctorCommand(CliContext ctx) {
        super(ctx);
    }

    private void report(Status status, String topic, String text) {
        if (status == Status.FAIL) {
            failed = true;
        }
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("status", status.name());
        check.put("check", topic);
        check.put("message", ctx.redact(text));
        checks.add(check);
        lastCheck = topic;
        if (json) {
            return;
        }
        try {
            out.write(String.format(Locale.ROOT, "%-4s  %s: %s%n", status, topic, ctx.redact(text)));
            out.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    protected int execute() {
        int code = checkAll();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("ok", !failed);
            doc.put("checks", checks);
            Output.json(ctx.out(), doc);
        }
        return code;
    }

    private int checkAll() {
        out = Output.writer(ctx.out());
        List<ContentType> required = contentType == null ? List.of() : ContentTypes.parse(contentType);
        CliSettings st;
        ClientSettings cs;
        try {
            st = settings();
            cs = clientSettings();
        } catch (CliException e) {
            report(Status.FAIL, "settings", e.getMessage());
            return CliException.FAILURE;
        }
        checkSettings(st, cs);
        OkHttpClient http = ManagementApis.httpClient(cs);
        try (StillWorking still = StillWorking.start(ctx, () -> "checking (the last check done: " + lastCheck + ")")) {
            boolean proxyOk = checkProxy(st);
            checkLogin(http, st, cs);
            checkApiAndClock(http, st, cs, proxyOk);
            String token = signIn(http, st, cs);
            if (token != null) {
                checkRoles(token);
                checkGraph(http, cs);
                try (ManagementApi api = ctx.createApi(cs)) {
                    List<Subscription> subs = checkSubscriptions(api, required);
                    if (subs != null) {
                        checkRecentContent(api, subs);
                    }
                }
            }
        } finally {
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
        }
        return failed ? CliException.FAILURE : 0;
    }

    private void checkSettings(CliSettings st, ClientSettings cs) {
        report(
                Status.OK,
                "settings",
                "tenant " + cs.tenantId() + ", client " + (cs.clientId() == null ? "none" : cs.clientId()) + ", "
                        + st.credentialKind() + ", cloud " + cs.cloud().configName()
                        + ", API " + st.apiBaseUrl() + ", sign-in " + st.loginBaseUrl()
                        + (st.proxy() == null
                                ? ""
                                : ", proxy " + st.proxy().host() + ":"
                                        + st.proxy().port()));
        if (!GUID.matcher(cs.tenantId()).matches()) {
            report(
                    Status.WARN,
                    "settings",
                    "the tenant '" + cs.tenantId() + "' is not a GUID: sign-in accepts a "
                            + "domain, but the API needs the directory (tenant) GUID in its URLs (AF20013)");
        }
        if (st.secretFromCommandLine()) {
            report(
                    Status.WARN,
                    "settings",
                    "--client-secret shows in the process list and shell history: set " + CliSettings.ENV_CLIENT_SECRET
                            + " or use --config with a ${file:...} secret instead");
        }
    }

    private boolean checkProxy(CliSettings st) {
        CliSettings.Proxy p = st.proxy();
        if (p == null) {
            return true;
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(p.host(), p.port()), 5_000);
            report(Status.OK, "proxy", p.host() + ":" + p.port() + " accepts connections");
            return true;
        } catch (IOException e) {
            report(
                    Status.FAIL,
                    "proxy",
                    p.host() + ":" + p.port() + " cannot be reached (" + describe(e)
                            + "): check --proxy / o365.http.proxy.url and the network");
            return false;
        }
    }

    private void checkLogin(OkHttpClient http, CliSettings st, ClientSettings cs) {
        String url = st.loginBaseUrl() + "/" + URLEncoder.encode(cs.tenantId(), StandardCharsets.UTF_8)
                + "/v2.0/.well-known/openid-configuration";
        try (Response r =
                http.newCall(new Request.Builder().url(url).get().build()).execute()) {
            if (r.code() == 200) {
                report(Status.OK, "sign-in endpoint", st.loginBaseUrl() + " is reachable and knows the tenant");
            } else if (r.code() == 400 || r.code() == 404) {
                report(
                        Status.FAIL,
                        "sign-in endpoint",
                        st.loginBaseUrl() + " does not know the tenant " + cs.tenantId() + " (HTTP " + r.code()
                                + "): check the tenant id and the cloud");
            } else {
                report(
                        Status.WARN,
                        "sign-in endpoint",
                        st.loginBaseUrl() + " answered HTTP " + r.code() + " to the tenant's OpenID configuration");
            }
        } catch (IOException | IllegalArgumentException e) {
            report(
                    Status.FAIL,
                    "sign-in endpoint",
                    TlsProblem.in(e)
                            ? TlsProblem.message(
                                    st.loginBaseUrl() + " answers, but it is a TLS trust problem", describe(e))
                            : st.loginBaseUrl() + " cannot be reached (" + describe(e)
                                    + "): check the network, firewall and proxy");
        }
    }

    private void checkApiAndClock(OkHttpClient http, CliSettings st, ClientSettings cs, boolean proxyOk) {
        String url = st.apiBaseUrl() + "/api/v1.0/" + URLEncoder.encode(cs.tenantId(), StandardCharsets.UTF_8)
                + "/activity/feed/subscriptions/list";
        Instant before = ctx.clock().instant();
        String date;
        int code;
        try (Response r =
                http.newCall(new Request.Builder().url(url).get().build()).execute()) {
            code = r.code();
            date = r.header("Date");
        } catch (IOException | IllegalArgumentException e) {
            report(
                    Status.FAIL,
                    "API endpoint",
                    TlsProblem.in(e)
                            ? TlsProblem.message(
                                    st.apiBaseUrl() + " answers, but it is a TLS trust problem", describe(e))
                            : st.apiBaseUrl() + " cannot be reached (" + describe(e) + "): check the network, firewall"
                                    + (proxyOk ? "" : ", proxy") + " and the cloud setting");
            return;
        }
        Instant after = ctx.clock().instant();
        report(Status.OK, "API endpoint", st.apiBaseUrl() + " is reachable (HTTP " + code + " without a token)");
        if (date == null) {
            report(Status.WARN, "clock", "the service sent no Date header, so the clock skew is unknown");
            return;
        }
        Instant server;
        try {
            server = ZonedDateTime.parse(date.trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant();
        } catch (DateTimeParseException e) {
            report(Status.WARN, "clock", "the service's Date header '" + date + "' cannot be read");
            return;
        }
        Instant local = before.plus(Duration.between(before, after).dividedBy(2));
        Duration skew = Duration.between(local, server);
        Duration abs = skew.abs();
        String text = "this machine's clock is " + words(abs) + (skew.isNegative() ? " ahead of" : " behind")
                + " the service (its Date header has 1-second resolution)";
        if (abs.compareTo(SKEW_WARN) <= 0) {
            report(Status.OK, "clock", "within " + Math.max(1, abs.toSeconds() + 1) + " s of the service");
        } else if (abs.compareTo(SKEW_FAIL) <= 0) {
            report(
                    Status.WARN,
                    "clock",
                    text + ": listings near the 7-day limit may be refused (AF20055); "
                            + "synchronise the clock (NTP)");
        } else {
            report(
                    Status.FAIL,
                    "clock",
                    text + ": sign-in with a certificate and listings near the 7-day limit "
                            + "fail with this much skew; synchronise the clock (NTP)");
        }
    }

    private static String words(Duration d) {
        long s = d.toSeconds();
        if (s < 120) {
            return s + " s";
        }
        if (s < 7200) {
            return (s / 60) + " min";
        }
        return (s / 3600) + " h";
    }

    /** Signs in; the token, or null after a FAIL line. */
    private String signIn(OkHttpClient http, CliSettings st, ClientSettings cs) {
        try (TokenProvider tokens = ManagementApis.tokenProvider(cs, http)) {
            AccessToken t = tokens.token();
            report(
                    Status.OK,
                    "sign-in",
                    "signed in as " + (st.usesManagedIdentity() ? st.credentialKind() : "application " + cs.clientId())
                            + " (token valid until "
                            + t.expiresOn().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ")");
            return t.value();
        } catch (ApiException e) {
            report(Status.FAIL, "sign-in", e.getMessage());
            return null;
        } catch (RuntimeException e) {
            report(
                    Status.FAIL,
                    "sign-in",
                    e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            return null;
        }
    }

    private void checkRoles(String token) {
        JsonNode payload = Jwt.payload(token).orElse(null);
        if (payload == null) {
            report(Status.WARN, "permissions", "the access token is not a JWT, so its permissions cannot be read");
            return;
        }
        List<String> roles = Jwt.roles(payload);
        String all = roles.isEmpty() ? "none" : String.join(", ", roles);
        if (roles.contains(READ)) {
            report(Status.OK, "permissions", READ + " granted (token roles: " + all + ")");
        } else {
            report(
                    Status.FAIL,
                    "permissions",
                    READ + " is missing (token roles: " + all + "). "
                            + ErrorClassifier.TABLE.get("AF10001").advice());
        }
        if (roles.contains(READ_DLP)) {
            report(Status.OK, "permissions", READ_DLP + " granted: DLP.All can be read");
        } else {
            report(
                    Status.WARN,
                    "permissions",
                    READ_DLP + " is missing: DLP.All cannot be read. If you need DLP "
                            + "events, grant the application the permission " + READ_DLP
                            + " (Application) of 'Office 365 "
                            + "Management APIs' and admin consent");
        }
    }

    /**
     * What the app may read on Microsoft Graph, from the roles of one Graph token of the same credential (nothing is
     * queried): audit search (history beyond 7 days, {@code export --start} older than 7 days; the cloud first), then
     * enrichment ({@code --enrich}, {@code o365.enrich.*}). Never a failure: both are optional.
     */
    private void checkGraph(OkHttpClient http, ClientSettings cs) {
        Optional<String> unsupported = HistoryAccess.unsupportedCloud(cs.cloud());
        List<String> roles;
        try (TokenProvider tokens = HistoryAccess.graphTokens(cs, http)) {
            JsonNode payload = Jwt.payload(tokens.token().value()).orElse(null);
            if (payload == null) {
                String why = "the Microsoft Graph token is not a JWT, so its permissions cannot be read";
                report(Status.WARN, "audit search", unsupported.orElse(why));
                report(Status.WARN, "enrichment", why);
                return;
            }
            roles = Jwt.roles(payload);
        } catch (RuntimeException e) {
            report(Status.WARN, "audit search", unsupported.orElse("no Microsoft Graph token: " + e.getMessage()));
            report(Status.WARN, "enrichment", "no Microsoft Graph token: " + e.getMessage());
            return;
        }
        if (unsupported.isPresent()) {
            report(Status.WARN, "audit search", unsupported.get());
        } else {
            checkAuditSearch(roles);
        }
        checkEnrichment(roles);
    }

    private void checkAuditSearch(List<String> roles) {
        List<String> granted =
                roles.stream().filter(r -> r.startsWith("AuditLogsQuery")).toList();
        if (granted.contains(AUDIT_QUERY)) {
            report(
                    Status.OK,
                    "audit search",
                    AUDIT_QUERY + " granted on Microsoft Graph: history beyond 7 days " + "can be read");
        } else if (!granted.isEmpty()) {
            report(
                    Status.WARN,
                    "audit search",
                    "only " + String.join(", ", granted) + " granted on Microsoft "
                            + "Graph: audit search returns those services' records only; grant " + AUDIT_QUERY
                            + " for all of them");
        } else {
            report(
                    Status.WARN,
                    "audit search",
                    AUDIT_QUERY + " is missing on Microsoft Graph (token roles: "
                            + (roles.isEmpty() ? "none" : String.join(", ", roles))
                            + "): history beyond 7 days cannot be "
                            + "read. Grant the application the permission " + AUDIT_QUERY + " (Application) of "
                            + "'Microsoft Graph' and admin consent");
        }
    }

    /** Enrichment's permissions for the default types (users, service principals, groups). */
    private void checkEnrichment(List<String> roles) {
        if (roles.contains(ObjectKind.DIRECTORY_READ_ALL)) {
            report(
                    Status.OK,
                    "enrichment",
                    ObjectKind.DIRECTORY_READ_ALL + " granted on Microsoft Graph: users, service principals and "
                            + "groups can be resolved");
            return;
        }
        List<String> missing = new java.util.ArrayList<>();
        for (ObjectKind k : List.of(ObjectKind.USER, ObjectKind.SERVICE_PRINCIPAL, ObjectKind.GROUP)) {
            if (!roles.contains(k.permission()) && !missing.contains(k.permission())) {
                missing.add(k.permission());
            }
        }
        if (missing.isEmpty()) {
            report(
                    Status.OK,
                    "enrichment",
                    "User.Read.All, Application.Read.All and GroupMember.Read.All granted on Microsoft Graph: users, "
                            + "service principals and groups can be resolved");
        } else {
            report(
                    Status.WARN,
                    "enrichment",
                    String.join(", ", missing) + " missing on Microsoft Graph: --enrich and o365.enrich.* leave "
                            + "those records unenriched (marked denied). Grant " + ObjectKind.DIRECTORY_READ_ALL
                            + ", or the missing ones (Application) of 'Microsoft Graph', and admin consent");
        }
    }

    private List<Subscription> checkSubscriptions(ManagementApi api, List<ContentType> required) {
        List<Subscription> subs;
        try {
            subs = api.listSubscriptions();
        } catch (ApiException e) {
            report(Status.FAIL, "subscriptions", e.getMessage());
            return null;
        }
        boolean anyEnabled = subs.stream().anyMatch(Subscription::enabled);
        for (Map<String, Object> row : SubscriptionsCommand.rows(subs)) {
            String type = String.valueOf(row.get("contentType"));
            String status = String.valueOf(row.get("status"));
            boolean isRequired = required.stream().anyMatch(t -> t.wireName().equalsIgnoreCase(type));
            Status notEnabled = isRequired || !anyEnabled ? Status.FAIL : Status.WARN;
            String why = isRequired ? " (requested with --content-type)" : !anyEnabled ? " (no subscription is)" : "";
            Optional<ContentType> known = ContentType.fromWireName(type);
            Optional<Instant> refused = known.flatMap(t -> StartRefusals.nextAllowed(ctx, api.tenantId(), t));
            if ("enabled".equalsIgnoreCase(status)) {
                report(Status.OK, "subscription " + type, "enabled");
            } else if (refused.isPresent()) {
                report(
                        notEnabled,
                        "subscription " + type,
                        status + why + ": nothing is collected for it. A start was refused by the API's rule of one "
                                + "start per content type every 15 minutes: "
                                + SubscriptionsCommand.allowedText(known.orElseThrow(), refused.get())
                                + "; start it then with: o365-audit subscriptions start --content-type " + type);
            } else if (SubscriptionsCommand.NONE.equals(status)) {
                report(
                        notEnabled,
                        "subscription " + type,
                        "not started" + why + ": nothing is collected for it; start it "
                                + "with: o365-audit subscriptions start --content-type " + type);
            } else {
                report(
                        notEnabled,
                        "subscription " + type,
                        status + why + ": nothing is collected for it; content created while it is stopped is never "
                                + "available. Start it again with: o365-audit subscriptions start --content-type "
                                + type + " (the API allows one start per content type every 15 minutes: if a start "
                                + "was refused, start again once 15 minutes have passed since the last start)");
            }
        }
        return subs;
    }

    private void checkRecentContent(ManagementApi api, List<Subscription> subs) {
        Instant now = ctx.clock().instant();
        for (Subscription s : subs) {
            if (!s.enabled()) {
                continue;
            }
            ContentType type = ContentType.fromWireName(s.contentType()).orElse(null);
            if (type == null) {
                continue;
            }
            String topic = "content " + type.wireName();
            try {
                List<ContentBlob> blobs = api.listAllContent(type, now.minus(Duration.ofHours(24)), now);
                if (blobs.isEmpty()) {
                    report(
                            Status.WARN,
                            topic,
                            "no content in the last 24 hours. " + QUIET_ADVICE.get(type)
                                    + ". A subscription started less than 12 hours ago may simply not have content yet.");
                } else {
                    report(Status.OK, topic, blobs.size() + " blobs in the last 24 hours");
                }
            } catch (ApiException e) {
                report(Status.FAIL, topic, e.getMessage());
            }
        }
    }

    private static String describe(Exception e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
