package io.github.auditlake.o365.config;

import static io.github.auditlake.o365.config.O365SourceConfig.API_URL_CONFIG;
import static io.github.auditlake.o365.config.O365SourceConfig.CLIENT_CERTIFICATE_PASSWORD_CONFIG;
import static io.github.auditlake.o365.config.O365SourceConfig.CLIENT_CERTIFICATE_PATH_CONFIG;
import static io.github.auditlake.o365.config.O365SourceConfig.CLIENT_CERTIFICATE_PEM_CONFIG;
import static io.github.auditlake.o365.config.O365SourceConfig.CLIENT_ID_CONFIG;
import static io.github.auditlake.o365.config.O365SourceConfig.CLIENT_SECRET_CONFIG;
import static io.github.auditlake.o365.config.O365SourceConfig.HEARTBEAT_TOPIC_CONFIG;
import static io.github.auditlake.o365.config.O365SourceConfig.LOGIN_URL_CONFIG;
import static io.github.auditlake.o365.config.O365SourceConfig.MANAGED_IDENTITY_CLIENT_ID_CONFIG;
import static io.github.auditlake.o365.config.O365SourceConfig.MANAGED_IDENTITY_ENDPOINT_CONFIG;
import static io.github.auditlake.o365.config.O365SourceConfig.PROXY_PASSWORD_CONFIG;
import static io.github.auditlake.o365.config.O365SourceConfig.PROXY_URL_CONFIG;
import static io.github.auditlake.o365.config.O365SourceConfig.SKIPS_TOPIC_CONFIG;
import static io.github.auditlake.o365.config.O365SourceConfig.TENANT_ID_CONFIG;
import static io.github.auditlake.o365.config.O365SourceConfig.TLS_CA_PEM_CONFIG;
import static io.github.auditlake.o365.config.O365SourceConfig.TLS_CA_PEM_PATH_CONFIG;
import static io.github.auditlake.o365.config.O365SourceConfig.TLS_TRUSTSTORE_PATH_CONFIG;
import static io.github.auditlake.o365.config.O365SourceConfig.TOPIC_CONFIG;

import io.github.auditlake.o365.api.AllowedPaths;
import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.EndpointAllowList;
import io.github.auditlake.o365.api.Endpoints;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.ManagementApi;
import io.github.auditlake.o365.auth.CertificateLoader;
import io.github.auditlake.o365.auth.SignInException;
import io.github.auditlake.o365.client.ClientSettings;
import io.github.auditlake.o365.settings.AuthMethod;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cross-field and live checks of {@code validate()}. Never throws: every problem becomes an error message on the
 * field that must change.
 */
public final class ConfigValidator {
    private static final Logger log = LoggerFactory.getLogger(ConfigValidator.class);

    private final ApiFactory apiFactory;
    private final EndpointAllowList allowList;
    private final AllowedPaths allowedPaths;

    public ConfigValidator(ApiFactory apiFactory) {
        this(apiFactory, EndpointAllowList.fromWorker(), AllowedPaths.fromEnvironment());
    }

    public ConfigValidator(ApiFactory apiFactory, EndpointAllowList allowList) {
        this(apiFactory, allowList, AllowedPaths.fromEnvironment());
    }

    /** With the worker's lists given: the hosts that may receive credentials and the directories files come from. */
    public ConfigValidator(ApiFactory apiFactory, EndpointAllowList allowList, AllowedPaths allowedPaths) {
        this.apiFactory = apiFactory;
        this.allowList = allowList;
        this.allowedPaths = allowedPaths;
    }

    public Config validate(Map<String, String> props, Config base) {
        Map<String, ConfigValue> values =
                base.configValues().stream().collect(Collectors.toMap(ConfigValue::name, Function.identity()));
        boolean fieldErrors =
                values.values().stream().anyMatch(v -> !v.errorMessages().isEmpty());
        if (fieldErrors) {
            return base;
        }
        O365SourceConfig config;
        try {
            config = new O365SourceConfig(props);
        } catch (RuntimeException e) {
            add(values, TENANT_ID_CONFIG, e.getMessage());
            return base;
        }
        boolean ok = crossField(config, values);
        if (ok) {
            int before = errorCount(values);
            liveCheck(config, values);
            if (config.enrichEnabled() && errorCount(values) == before) {
                enrichCheck(config, values);
            }
        }
        return base;
    }

    private boolean crossField(O365SourceConfig c, Map<String, ConfigValue> values) {
        int before = errorCount(values);
        if (c.bothTenantKeysSet()) {
            String m = "Both " + TENANT_ID_CONFIG + " and " + O365SourceConfig.TENANT_IDS_CONFIG + " are set: keep "
                    + "exactly one (one tenant, or a list of tenants)";
            add(values, TENANT_ID_CONFIG, m);
            add(values, O365SourceConfig.TENANT_IDS_CONFIG, m);
        } else if (c.tenants().isEmpty()) {
            String m = "No tenant: set " + TENANT_ID_CONFIG + " to the tenant's GUID, or "
                    + O365SourceConfig.TENANT_IDS_CONFIG + " to a comma-separated list of GUIDs";
            add(values, TENANT_ID_CONFIG, m);
            add(values, O365SourceConfig.TENANT_IDS_CONFIG, m);
        }
        boolean secret = c.clientSecret() != null;
        boolean cert = c.hasCertificate();
        String certKey = c.certificateKey();
        AuthMethod method = c.configuredAuthMethod();
        String methodKey = O365SourceConfig.AUTH_METHOD_CONFIG;
        if (c.certificatePath() != null && c.certificatePem() != null) {
            String m = "Both " + CLIENT_CERTIFICATE_PATH_CONFIG + " and " + CLIENT_CERTIFICATE_PEM_CONFIG
                    + " are set: keep exactly one (the certificate as a file, or inline)";
            add(values, CLIENT_CERTIFICATE_PATH_CONFIG, m);
            add(values, CLIENT_CERTIFICATE_PEM_CONFIG, m);
        }
        if (method != AuthMethod.MANAGED_IDENTITY) {
            checkAppRegistrationFields(c, values);
        }
        if (method == AuthMethod.MANAGED_IDENTITY) {
            checkManagedIdentityFields(c, values, secret, cert);
            cert = false;
        } else if (method == AuthMethod.WORKLOAD_IDENTITY) {
            if (secret || cert) {
                String key = secret ? CLIENT_SECRET_CONFIG : certKey;
                add(
                        values,
                        key,
                        methodKey + "=" + method.configName() + " signs in with a federated assertion: remove " + key);
            }
            String file = c.clientAssertionFile();
            if (file == null) {
                add(
                        values,
                        O365SourceConfig.CLIENT_ASSERTION_FILE_CONFIG,
                        "No federated token file: set "
                                + O365SourceConfig.CLIENT_ASSERTION_FILE_CONFIG
                                + ", or run the worker with Azure workload "
                                + "identity (it sets AZURE_FEDERATED_TOKEN_FILE)");
            } else {
                readAllowed(values, O365SourceConfig.CLIENT_ASSERTION_FILE_CONFIG, file);
            }
            cert = false;
        } else if (method == AuthMethod.SECRET && !secret) {
            add(values, CLIENT_SECRET_CONFIG, methodKey + "=" + method.configName() + " needs " + CLIENT_SECRET_CONFIG);
        } else if (method == AuthMethod.CERTIFICATE && !cert) {
            add(
                    values,
                    CLIENT_CERTIFICATE_PATH_CONFIG,
                    methodKey + "=" + method.configName() + " needs " + CLIENT_CERTIFICATE_PEM_CONFIG + " or "
                            + CLIENT_CERTIFICATE_PATH_CONFIG);
        } else if (!secret && !cert) {
            String m = "No credential: set " + CLIENT_SECRET_CONFIG + ", " + CLIENT_CERTIFICATE_PEM_CONFIG + " or "
                    + CLIENT_CERTIFICATE_PATH_CONFIG + " (or " + methodKey + "=workload-identity or managed-identity)";
            add(values, CLIENT_SECRET_CONFIG, m);
            add(values, CLIENT_CERTIFICATE_PATH_CONFIG, m);
        } else if (secret && cert) {
            String m = "Both a client secret and a certificate are set: keep exactly one";
            add(values, CLIENT_SECRET_CONFIG, m);
            add(values, certKey, m);
        }
        if (cert) {
            if (c.certificatePem() != null) {
                try {
                    CertificateLoader.loadPem(c.certificatePem(), c.certificatePassword());
                } catch (RuntimeException e) {
                    add(values, CLIENT_CERTIFICATE_PEM_CONFIG, e.getMessage());
                }
            } else {
                readAllowed(values, CLIENT_CERTIFICATE_PATH_CONFIG, c.certificatePath());
            }
        } else if (c.certificatePassword() != null && !c.certificatePassword().isEmpty()) {
            add(
                    values,
                    CLIENT_CERTIFICATE_PASSWORD_CONFIG,
                    "A certificate password is set but no " + CLIENT_CERTIFICATE_PATH_CONFIG + " or "
                            + CLIENT_CERTIFICATE_PEM_CONFIG);
        }
        checkTopics(c, values);
        checkBaseUrl(values, API_URL_CONFIG, c.apiUrlOverride());
        checkBaseUrl(values, LOGIN_URL_CONFIG, c.loginUrlOverride());
        checkBaseUrl(values, O365SourceConfig.GRAPH_URL_CONFIG, c.graphUrlOverride());
        String identityEndpoint = c.managedIdentityEndpointOverride();
        if (identityEndpoint != null) {
            try {
                Endpoints.validateIdentityEndpoint(identityEndpoint, MANAGED_IDENTITY_ENDPOINT_CONFIG);
            } catch (IllegalArgumentException e) {
                add(values, MANAGED_IDENTITY_ENDPOINT_CONFIG, e.getMessage());
            }
        }
        if (errorCount(values) == before) {
            checkAllowed(values, API_URL_CONFIG, c.apiUrlOverride());
            checkAllowed(values, LOGIN_URL_CONFIG, c.loginUrlOverride());
            checkAllowed(values, O365SourceConfig.GRAPH_URL_CONFIG, c.graphUrlOverride());
            checkAllowed(values, MANAGED_IDENTITY_ENDPOINT_CONFIG, identityEndpoint);
            if (c.proxyUrl() != null) {
                URI p = URI.create(c.proxyUrl());
                if (!allowList.allowsHost(
                        p.getHost(), io.github.auditlake.o365.settings.ClientMapping.proxyPort(p), "http")) {
                    add(
                            values,
                            PROXY_URL_CONFIG,
                            allowList.refusal(
                                    PROXY_URL_CONFIG + " (a proxy sees every request; an authenticating one receives "
                                            + PROXY_PASSWORD_CONFIG + ")",
                                    c.proxyUrl()));
                }
                for (String key :
                        java.util.List.of(API_URL_CONFIG, LOGIN_URL_CONFIG, O365SourceConfig.GRAPH_URL_CONFIG)) {
                    String url = key.equals(API_URL_CONFIG)
                            ? c.apiUrlOverride()
                            : key.equals(LOGIN_URL_CONFIG) ? c.loginUrlOverride() : c.graphUrlOverride();
                    if (url != null && url.regionMatches(true, 0, "http:", 0, 5)) {
                        add(values, key, ClientSettings.httpOverrideWithProxy(url) + " (" + PROXY_URL_CONFIG + ")");
                    }
                }
            }
        }
        checkTrust(c, values);
        checkHistory(c, values);
        return errorCount(values) == before;
    }

    private static final String HISTORY_START =
            io.github.auditlake.o365.settings.CollectionSettings.HISTORY_START.key();

    /** {@code o365.history.start}: its form, and a cloud that has audit search. */
    private static void checkHistory(O365SourceConfig c, Map<String, ConfigValue> values) {
        try {
            if (c.historyStart().isEmpty()) {
                return;
            }
        } catch (IllegalArgumentException e) {
            add(values, HISTORY_START, e.getMessage());
            return;
        }
        io.github.auditlake.o365.history.HistoryAccess.unsupportedCloud(c.cloud())
                .ifPresent(why -> add(
                        values,
                        HISTORY_START,
                        "History cannot be read in this cloud: " + why + ". Leave " + HISTORY_START + " empty"));
    }

    /**
     * With history on: a Microsoft Graph token of the same credential must carry an audit-search permission (its
     * roles, as {@code o365-audit doctor} reads them; no query is spent). Returns the error, or null.
     */
    private String checkHistoryPermission(O365SourceConfig c, String tenant, boolean nameTenant) {
        String p = io.github.auditlake.o365.history.HistoryAccess.PERMISSION;
        java.util.List<String> roles;
        try {
            roles = apiFactory.graphRoles(c, tenant);
        } catch (RuntimeException e) {
            return "History is on, but no Microsoft Graph token could be obtained for audit search"
                    + (nameTenant ? " (tenant " + tenant + ")" : "") + ": " + e.getMessage();
        }
        if (roles.isEmpty() || roles.stream().anyMatch(r -> r.startsWith("AuditLogsQuery"))) {
            if (!roles.isEmpty() && !roles.contains(p)) {
                log.warn(
                        "Only {} granted on Microsoft Graph: history holds those services' records only; grant {}",
                        roles.stream()
                                .filter(r -> r.startsWith("AuditLogsQuery"))
                                .toList(),
                        p);
            }
            return null; // granted, or a token whose roles cannot be read (not a JWT): the task will tell
        }
        return "History is on, but the application lacks " + p + " on Microsoft Graph"
                + (nameTenant ? " (tenant " + tenant + ")" : "") + " (token roles: " + String.join(", ", roles)
                + "). Grant the application permission " + p + " of 'Microsoft Graph' with admin consent, or leave "
                + HISTORY_START + " empty";
    }

    /** Methods of an app registration need its client id, and no managed-identity setting. */
    private static void checkAppRegistrationFields(O365SourceConfig c, Map<String, ConfigValue> values) {
        String methodKey = O365SourceConfig.AUTH_METHOD_CONFIG;
        if (c.clientId().isEmpty()) {
            add(
                    values,
                    CLIENT_ID_CONFIG,
                    CLIENT_ID_CONFIG + " is required: the Application (client) ID of the app " + "registration (only "
                            + methodKey + "=managed-identity signs in without one)");
        }
        for (String key : java.util.List.of(MANAGED_IDENTITY_CLIENT_ID_CONFIG, MANAGED_IDENTITY_ENDPOINT_CONFIG)) {
            boolean set = key.equals(MANAGED_IDENTITY_CLIENT_ID_CONFIG)
                    ? c.managedIdentityClientId() != null
                    : c.managedIdentityEndpointOverride() != null;
            if (set) {
                add(
                        values,
                        key,
                        key + " is used only with " + methodKey + "=managed-identity: remove it, or set "
                                + "that method");
            }
        }
    }

    /**
     * With a managed identity, nothing of an app registration applies: each such field that is set is an error on
     * that field. A managed identity signs in to its own tenant only, so one tenant.
     */
    private static void checkManagedIdentityFields(
            O365SourceConfig c, Map<String, ConfigValue> values, boolean secret, boolean cert) {
        String why = O365SourceConfig.AUTH_METHOD_CONFIG + "=managed-identity signs in as the Azure resource's "
                + "managed identity, without an app registration or a credential: remove ";
        if (secret) {
            add(values, CLIENT_SECRET_CONFIG, why + CLIENT_SECRET_CONFIG);
        }
        if (cert) {
            add(values, c.certificateKey(), why + c.certificateKey());
        }
        if (!c.clientId().isEmpty()) {
            add(
                    values,
                    CLIENT_ID_CONFIG,
                    why + CLIENT_ID_CONFIG + " (for a user-assigned identity, set " + MANAGED_IDENTITY_CLIENT_ID_CONFIG
                            + " to the identity's client id)");
        }
        String assertion = c.getString(O365SourceConfig.CLIENT_ASSERTION_FILE_CONFIG);
        if (assertion != null && !assertion.isBlank()) {
            add(
                    values,
                    O365SourceConfig.CLIENT_ASSERTION_FILE_CONFIG,
                    why + O365SourceConfig.CLIENT_ASSERTION_FILE_CONFIG);
        }
        if (c.loginUrlOverride() != null) {
            add(
                    values,
                    LOGIN_URL_CONFIG,
                    LOGIN_URL_CONFIG + " is not used with a managed identity (it never calls "
                            + "the login endpoint): remove it; " + MANAGED_IDENTITY_ENDPOINT_CONFIG
                            + " redirects its token "
                            + "requests");
        }
        if (c.tenants().size() > 1) {
            add(
                    values,
                    O365SourceConfig.TENANT_IDS_CONFIG,
                    "A managed identity signs in to its own tenant only "
                            + "(managed identities do not work across tenants), so it cannot collect "
                            + c.tenants().size()
                            + " tenants: use a multi-tenant app registration (secret, certificate or workload-identity), or "
                            + "one connector per tenant");
        }
    }

    /** Placeholders a topic name may hold. */
    static final java.util.List<String> TOPIC_PLACEHOLDERS = java.util.List.of("${contentType}", "${tenant}");

    private static void checkTopics(O365SourceConfig c, Map<String, ConfigValue> values) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("\\$\\{[^}]*}").matcher(c.topicTemplate());
        while (m.find()) {
            if (!TOPIC_PLACEHOLDERS.contains(m.group())) {
                add(
                        values,
                        TOPIC_CONFIG,
                        "Unknown placeholder " + m.group() + " in the topic name; the valid ones are "
                                + String.join(" and ", TOPIC_PLACEHOLDERS) + " (case matters)");
                return;
            }
        }
        java.util.Set<String> audit = new java.util.TreeSet<>();
        for (io.github.auditlake.o365.cursor.StreamId s : c.streams()) {
            audit.add(io.github.auditlake.o365.records.RecordMapper.topicFor(c.topicTemplate(), s));
        }
        if (audit.contains(c.heartbeatTopic())) {
            add(
                    values,
                    HEARTBEAT_TOPIC_CONFIG,
                    "The heartbeat topic " + c.heartbeatTopic() + " is also an audit topic " + "(of " + TOPIC_CONFIG
                            + "); heartbeats must never mix with audit records: choose another name");
        }
        if (audit.contains(c.skipsTopic())) {
            add(
                    values,
                    SKIPS_TOPIC_CONFIG,
                    "The skips topic " + c.skipsTopic() + " is also an audit topic (of " + TOPIC_CONFIG
                            + "); choose another name");
        }
        if (c.skipsTopic().equals(c.heartbeatTopic())) {
            add(values, SKIPS_TOPIC_CONFIG, "The skips topic must differ from " + HEARTBEAT_TOPIC_CONFIG);
        }
        String ledger = c.ledgerTopic();
        if (ledger != null
                && (audit.contains(ledger) || ledger.equals(c.heartbeatTopic()) || ledger.equals(c.skipsTopic()))) {
            add(
                    values,
                    O365SourceConfig.LEDGER_TOPIC_CONFIG,
                    "The ledger topic " + ledger + " is also an audit, heartbeat or skips topic; the ledger needs a "
                            + "topic of its own (e.g. o365-audit-ledger)");
        }
        String health = c.healthTopic();
        if (health != null
                && (audit.contains(health)
                        || health.equals(c.heartbeatTopic())
                        || health.equals(c.skipsTopic())
                        || health.equals(c.ledgerTopic()))) {
            add(
                    values,
                    io.github.auditlake.o365.settings.DestinationSettings.HEALTH_TOPIC.key(),
                    "The health topic " + health
                            + " is also an audit, heartbeat, skips or ledger topic; health records "
                            + "must never mix with them: choose another name");
        }
    }

    private void checkAllowed(Map<String, ConfigValue> values, String key, String url) {
        if (url != null && !allowList.allows(url)) {
            add(values, key, allowList.refusal(key, url));
        }
    }

    private void checkTrust(O365SourceConfig c, Map<String, ConfigValue> values) {
        String store = c.getString(TLS_TRUSTSTORE_PATH_CONFIG);
        String pemPath = c.getString(TLS_CA_PEM_PATH_CONFIG);
        boolean hasStore = store != null && !store.isBlank();
        boolean hasPemPath = pemPath != null && !pemPath.isBlank();
        org.apache.kafka.common.config.types.Password inline = c.getPassword(TLS_CA_PEM_CONFIG);
        if (hasPemPath && inline != null && !inline.value().isBlank()) {
            String m = "Both " + TLS_CA_PEM_PATH_CONFIG + " and " + TLS_CA_PEM_CONFIG + " are set: keep exactly one "
                    + "(the CA bundle as a file, or inline)";
            add(values, TLS_CA_PEM_PATH_CONFIG, m);
            add(values, TLS_CA_PEM_CONFIG, m);
            return;
        }
        // files first, through the worker's list: nothing is said about a file outside it
        if ((hasStore && !readAllowed(values, TLS_TRUSTSTORE_PATH_CONFIG, store))
                || (hasPemPath && !readAllowed(values, TLS_CA_PEM_PATH_CONFIG, pemPath))) {
            return;
        }
        io.github.auditlake.o365.api.TlsTrust t = c.tlsTrust();
        if (!t.isDefault()) {
            try {
                t.trustManager(allowedPaths);
            } catch (RuntimeException e) {
                String m = String.valueOf(e.getMessage());
                // the message starts with the setting whose material is wrong; else the trust store failed to load
                String key = m.startsWith(TLS_CA_PEM_PATH_CONFIG)
                        ? TLS_CA_PEM_PATH_CONFIG
                        : m.startsWith(TLS_CA_PEM_CONFIG)
                                ? TLS_CA_PEM_CONFIG
                                : hasStore ? TLS_TRUSTSTORE_PATH_CONFIG : TLS_CA_PEM_PATH_CONFIG;
                add(values, key, m);
            }
        }
    }

    /**
     * Reads {@code file} through the worker's {@link AllowedPaths}; on refusal adds the message to {@code key}
     * (outside the allowed directories: the same message whether the file exists or not).
     */
    private boolean readAllowed(Map<String, ConfigValue> values, String key, String file) {
        try {
            allowedPaths.read(key, file);
            return true;
        } catch (IllegalArgumentException e) {
            add(values, key, e.getMessage());
            return false;
        }
    }

    /** A base URL override (API or login); the proxy URL is checked by its ConfigDef validator. */
    private static void checkBaseUrl(Map<String, ConfigValue> values, String key, String url) {
        if (url == null) {
            return;
        }
        try {
            Endpoints.validateBaseUrl(url, key);
        } catch (IllegalArgumentException e) {
            add(values, key, e.getMessage());
        }
    }

    /** How long the live check of all tenants may take together. */
    static final java.time.Duration LIVE_CHECK_BUDGET = java.time.Duration.ofSeconds(40);

    /**
     * Tenants signed in to at once by the live check: 500 tenants take 16 rounds of one sign-in and one listing
     * each, about 30 s at 2 s a round, within {@link #LIVE_CHECK_BUDGET} and Connect's 90 s REST timeout. Each
     * check is one token request and one request to its own tenant, so the parallelism spends no tenant's budget.
     */
    static final int LIVE_CHECK_PARALLELISM = 32;

    private void liveCheck(O365SourceConfig config, Map<String, ConfigValue> values) {
        int before = errorCount(values);
        liveCheckApi(config, values);
        if (errorCount(values) == before && config.historyStart().isPresent()) {
            for (String t : config.tenants()) {
                String m = checkHistoryPermission(config, t, config.tenants().size() > 1);
                if (m != null) {
                    add(values, HISTORY_START, m);
                }
            }
        }
    }

    private void liveCheckApi(O365SourceConfig config, Map<String, ConfigValue> values) {
        java.util.List<String> tenants = config.tenants();
        if (tenants.size() == 1) {
            report(config, values, null, check(config, tenants.get(0)));
            return;
        }
        // every tenant in parallel, within a bounded time; each failing tenant is reported by its GUID
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
                Math.min(LIVE_CHECK_PARALLELISM, tenants.size()), r -> {
                    Thread t = new Thread(r, "o365-validate");
                    t.setDaemon(true);
                    return t;
                });
        try {
            Map<String, java.util.concurrent.Future<RuntimeException>> checks = new java.util.LinkedHashMap<>();
            for (String t : tenants) {
                checks.put(t, pool.submit(() -> check(config, t)));
            }
            long deadline = System.nanoTime() + LIVE_CHECK_BUDGET.toNanos();
            for (Map.Entry<String, java.util.concurrent.Future<RuntimeException>> e : checks.entrySet()) {
                try {
                    long left = Math.max(1, deadline - System.nanoTime());
                    report(
                            config,
                            values,
                            e.getKey(),
                            e.getValue().get(left, java.util.concurrent.TimeUnit.NANOSECONDS));
                } catch (java.util.concurrent.TimeoutException ex) {
                    log.warn(
                            "Tenant {}: the live check did not finish within {} s; accepting it",
                            e.getKey(),
                            LIVE_CHECK_BUDGET.toSeconds());
                } catch (java.util.concurrent.ExecutionException ex) {
                    log.warn(
                            "Tenant {}: the live check could not run: {}",
                            e.getKey(),
                            ex.getCause().toString());
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * With enrichment on: one Graph lookup of an id nobody has (nothing is read) for the first tenant, with the same
     * sign-in; a refusal is an error on {@code o365.enrich.enabled} naming the permission to grant.
     */
    private void enrichCheck(O365SourceConfig config, Map<String, ConfigValue> values) {
        String key = io.github.auditlake.o365.settings.EnrichmentSettings.ENABLED.key();
        io.github.auditlake.o365.enrich.EnrichSettings e = config.enrichSettings();
        try (io.github.auditlake.o365.enrich.DirectoryApi dir =
                apiFactory.directory(config, config.tenants().get(0), true).orElse(null)) {
            if (dir == null) {
                return;
            }
            io.github.auditlake.o365.enrich.EnrichAccess.checkPermission(
                            dir, e.kinds(), java.time.Duration.ofSeconds(15))
                    .ifPresent(msg -> add(values, key, msg));
        } catch (RuntimeException ex) {
            add(values, key, "Could not check the Graph permission for enrichment: " + ex.getMessage());
        }
    }

    /** Signs in and lists the subscriptions of one tenant; returns the failure, or null. */
    private RuntimeException check(O365SourceConfig config, String tenant) {
        try (ManagementApi api = apiFactory.create(config, tenant, 60, true)) {
            api.listSubscriptions();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    private static void report(
            O365SourceConfig config, Map<String, ConfigValue> values, String tenant, RuntimeException failure) {
        if (failure == null) {
            return;
        }
        String who = tenant == null ? "" : "Tenant " + tenant + ": ";
        if (!(failure instanceof ApiException e)) {
            log.warn("{}Live configuration check could not run: {}", who, failure.toString());
            return;
        }
        if (isUnreachable(e)) {
            // Nothing answered: a wrong host or port, a firewall, or no route. The task would retry forever.
            boolean signIn = e instanceof SignInException;
            boolean mi = signIn && config.authMethod() == AuthMethod.MANAGED_IDENTITY;
            String key = mi ? MANAGED_IDENTITY_ENDPOINT_CONFIG : signIn ? LOGIN_URL_CONFIG : API_URL_CONFIG;
            String override = mi
                    ? config.managedIdentityEndpointOverride()
                    : signIn ? config.loginUrlOverride() : config.apiUrlOverride();
            String target = override != null
                    ? override
                    : mi
                            ? "the managed-identity endpoint (" + O365SourceConfig.MANAGED_IDENTITY_ENDPOINT_DEFAULT
                                    + "; is the worker running on an Azure resource with a managed identity?)"
                            : "the default " + (signIn ? "login" : "Management API") + " host of cloud "
                                    + config.cloud().configName() + " ("
                                    + (signIn
                                            ? config.cloud().loginBaseUrl()
                                            : config.cloud().apiBaseUrl()) + ")";
            add(
                    values,
                    key,
                    who + "Cannot reach " + target + ": " + unreachableReason(e) + ". Check the URL"
                            + (override != null ? "" : " (set " + key + " only for a proxy or a simulator)")
                            + ", the worker's network and DNS"
                            + (mi ? "" : ", and " + PROXY_URL_CONFIG + " if the worker needs a proxy")
                            + " (" + e.getMessage() + ")");
            return;
        }
        String field = fieldFor(e, config);
        if (field == null) {
            log.warn(
                    "{}Could not reach the Management API to check the configuration ({}); accepting it",
                    who,
                    e.getMessage());
            return;
        }
        if (tenant != null && field.equals(TENANT_ID_CONFIG)) {
            field = O365SourceConfig.TENANT_IDS_CONFIG;
        }
        add(values, field, who + "Live check failed: " + e.getMessage());
    }

    /**
     * Whether a call failed because nothing could be reached at all: connection refused, unknown host, no route, or
     * a timeout while connecting. A reachable service that answers an error (503, 429, a slow body) is not.
     */
    public static boolean isUnreachable(Throwable t) {
        return unreachableCause(t) != null;
    }

    private static Throwable unreachableCause(Throwable t) {
        for (Throwable c = t; c != null && c.getCause() != c; c = c.getCause()) {
            if (c instanceof java.net.ConnectException
                    || c instanceof java.net.UnknownHostException
                    || c instanceof java.net.NoRouteToHostException
                    || c instanceof java.net.PortUnreachableException) {
                return c;
            }
            if (c instanceof java.net.SocketTimeoutException
                    && String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT).contains("connect")) {
                return c;
            }
        }
        return null;
    }

    private static String unreachableReason(Throwable t) {
        Throwable c = unreachableCause(t);
        if (c instanceof java.net.UnknownHostException) {
            return "unknown host " + c.getMessage();
        }
        if (c instanceof java.net.SocketTimeoutException) {
            return "timed out connecting";
        }
        if (c instanceof java.net.NoRouteToHostException) {
            return "no route to the host";
        }
        return "connection refused";
    }

    private static String fieldFor(ApiException e, O365SourceConfig c) {
        String code = e.errorCode().orElse("");
        String msg = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (e.kind() == ErrorKind.TRANSIENT) {
            return null;
        }
        if (c.authMethod() == AuthMethod.MANAGED_IDENTITY
                && (e instanceof SignInException || code.equals("AF10001") || msg.contains("activityfeed.read"))) {
            // the identity is missing, not attached, or lacks the app role
            return MANAGED_IDENTITY_CLIENT_ID_CONFIG;
        }
        if (e.kind() == ErrorKind.AUTHENTICATION) {
            if (msg.contains("700016") || msg.contains("client id") || msg.contains("application with identifier")) {
                return CLIENT_ID_CONFIG;
            }
            if (msg.contains("90002") || msg.contains("tenant")) {
                return TENANT_ID_CONFIG;
            }
            return c.authMethod() == AuthMethod.WORKLOAD_IDENTITY
                    ? O365SourceConfig.CLIENT_ASSERTION_FILE_CONFIG
                    : c.clientSecret() != null ? CLIENT_SECRET_CONFIG : c.certificateKey();
        }
        if (code.equals("AF10001") || msg.contains("activityfeed.read")) {
            return CLIENT_ID_CONFIG;
        }
        return TENANT_ID_CONFIG;
    }

    private static int errorCount(Map<String, ConfigValue> values) {
        return values.values().stream().mapToInt(v -> v.errorMessages().size()).sum();
    }

    private static void add(Map<String, ConfigValue> values, String key, String message) {
        ConfigValue v = values.get(key);
        if (v != null) {
            v.addErrorMessage(message);
        }
    }
}
