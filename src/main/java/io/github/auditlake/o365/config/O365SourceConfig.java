package io.github.auditlake.o365.config;

import io.github.auditlake.o365.api.Cloud;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.cursor.WindowPlanner;
import io.github.auditlake.o365.settings.AuthMethod;
import io.github.auditlake.o365.settings.CollectionSettings;
import io.github.auditlake.o365.settings.ConnectionSettings;
import io.github.auditlake.o365.settings.DestinationSettings;
import io.github.auditlake.o365.settings.EngineMapping;
import io.github.auditlake.o365.settings.Group;
import io.github.auditlake.o365.settings.HttpSettings;
import io.github.auditlake.o365.settings.Resolved;
import io.github.auditlake.o365.settings.Setting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;

/** The connector's configuration: the one {@link ConfigDef}, documented, with typed getters. */
public class O365SourceConfig extends AbstractConfig implements Resolved {
    static final Pattern GUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    public static final String GROUP_CONNECTION = Group.CONNECTION.title();
    public static final String GROUP_COLLECTION = Group.COLLECTION.title();
    public static final String GROUP_DESTINATION = Group.DESTINATION.title();
    public static final String GROUP_HTTP = Group.HTTP.title();

    // the keys, for callers; each setting is described once, in the catalogue (io.github.auditlake.o365.settings)
    public static final String TENANT_ID_CONFIG = ConnectionSettings.TENANT_ID.key();
    public static final String TENANT_IDS_CONFIG = ConnectionSettings.TENANT_IDS.key();
    public static final String CLIENT_ID_CONFIG = ConnectionSettings.CLIENT_ID.key();
    public static final String CLIENT_SECRET_CONFIG = ConnectionSettings.CLIENT_SECRET.key();
    public static final String CLIENT_CERTIFICATE_PATH_CONFIG = ConnectionSettings.CLIENT_CERTIFICATE_PATH.key();
    public static final String CLIENT_CERTIFICATE_PEM_CONFIG = ConnectionSettings.CLIENT_CERTIFICATE_PEM.key();
    public static final String AUTH_METHOD_CONFIG = ConnectionSettings.AUTH_METHOD.key();
    public static final String MANAGED_IDENTITY_CLIENT_ID_CONFIG = ConnectionSettings.MANAGED_IDENTITY_CLIENT_ID.key();
    public static final String MANAGED_IDENTITY_ENDPOINT_CONFIG = ConnectionSettings.MANAGED_IDENTITY_ENDPOINT.key();
    public static final String CLIENT_ASSERTION_FILE_CONFIG = ConnectionSettings.CLIENT_ASSERTION_FILE.key();
    public static final String CLIENT_CERTIFICATE_PASSWORD_CONFIG =
            ConnectionSettings.CLIENT_CERTIFICATE_PASSWORD.key();
    public static final String CLOUD_CONFIG = ConnectionSettings.CLOUD.key();
    public static final String API_URL_CONFIG = ConnectionSettings.API_URL.key();
    public static final String GRAPH_URL_CONFIG = ConnectionSettings.GRAPH_URL.key();
    public static final String LOGIN_URL_CONFIG = ConnectionSettings.LOGIN_URL.key();
    public static final String PUBLISHER_ID_CONFIG = ConnectionSettings.PUBLISHER_ID.key();
    public static final String CONTENT_TYPES_CONFIG = CollectionSettings.CONTENT_TYPES.key();
    public static final String INITIAL_LOOKBACK_MS_CONFIG = CollectionSettings.INITIAL_LOOKBACK_MS.key();
    public static final String POLL_INTERVAL_MS_CONFIG = CollectionSettings.POLL_INTERVAL_MS.key();
    public static final String WINDOW_MAX_MS_CONFIG = CollectionSettings.WINDOW_MAX_MS.key();
    public static final String COVERAGE_MS_CONFIG = CollectionSettings.COVERAGE_MS.key();
    public static final String SWEEP_INTERVAL_MS_CONFIG = CollectionSettings.SWEEP_INTERVAL_MS.key();
    public static final String MANAGE_SUBSCRIPTIONS_CONFIG = CollectionSettings.MANAGE_SUBSCRIPTIONS.key();
    public static final String FETCH_CONCURRENCY_CONFIG = CollectionSettings.FETCH_CONCURRENCY.key();
    public static final String BUFFER_MAX_BYTES_CONFIG = CollectionSettings.BUFFER_MAX_BYTES.key();
    public static final String HEARTBEAT_INTERVAL_MS_CONFIG = CollectionSettings.HEARTBEAT_INTERVAL_MS.key();
    public static final String HEARTBEAT_TOPIC_CONFIG = CollectionSettings.HEARTBEAT_TOPIC.key();
    public static final String LEDGER_TOPIC_CONFIG = DestinationSettings.LEDGER_TOPIC.key();
    public static final String SKIPS_TOPIC_CONFIG = CollectionSettings.SKIPS_TOPIC.key();
    public static final String RECORD_MAX_BYTES_CONFIG = CollectionSettings.RECORD_MAX_BYTES.key();
    public static final String BATCH_MAX_RECORDS_CONFIG = CollectionSettings.BATCH_MAX_RECORDS.key();
    public static final String TRANSACTION_MAX_RECORDS_CONFIG = CollectionSettings.TRANSACTION_MAX_RECORDS.key();
    public static final String VALUE_FORMAT_CONFIG = DestinationSettings.VALUE_FORMAT.key();
    public static final String HEADERS_CONFIG = DestinationSettings.HEADERS.key();
    public static final String TOPIC_CONFIG = DestinationSettings.TOPIC.key();
    public static final String REQUESTS_PER_MINUTE_CONFIG = HttpSettings.REQUESTS_PER_MINUTE.key();
    public static final String RETRY_MAX_ATTEMPTS_CONFIG = HttpSettings.RETRY_MAX_ATTEMPTS.key();
    public static final String RETRY_BACKOFF_MS_CONFIG = HttpSettings.RETRY_BACKOFF_MS.key();
    public static final String RETRY_BACKOFF_MAX_MS_CONFIG = HttpSettings.RETRY_BACKOFF_MAX_MS.key();
    public static final String HTTP_TIMEOUT_MS_CONFIG = HttpSettings.HTTP_TIMEOUT_MS.key();
    public static final String PROXY_URL_CONFIG = HttpSettings.PROXY_URL.key();
    public static final String PROXY_USER_CONFIG = HttpSettings.PROXY_USER.key();
    public static final String PROXY_PASSWORD_CONFIG = HttpSettings.PROXY_PASSWORD.key();
    public static final String TLS_TRUSTSTORE_PATH_CONFIG = HttpSettings.TLS_TRUSTSTORE_PATH.key();
    public static final String TLS_TRUSTSTORE_PASSWORD_CONFIG = HttpSettings.TLS_TRUSTSTORE_PASSWORD.key();
    public static final String TLS_TRUSTSTORE_TYPE_CONFIG = HttpSettings.TLS_TRUSTSTORE_TYPE.key();
    public static final String TLS_CA_PEM_PATH_CONFIG = HttpSettings.TLS_CA_PEM_PATH.key();
    public static final String TLS_CA_PEM_CONFIG = HttpSettings.TLS_CA_PEM.key();

    public static final String MANAGED_IDENTITY_ENDPOINT_DEFAULT =
            ConnectionSettings.MANAGED_IDENTITY_ENDPOINT.defaultValue();

    /** Distance kept from the API's 7-day listing limit. */
    public static final Duration RETENTION_MARGIN = CollectionSettings.RETENTION_MARGIN;

    public static final ConfigDef CONFIG_DEF = configDef();

    /**
     * Never logs the values ({@code doLog=false}): {@link AbstractConfig} would log every value that is not a password
     * at INFO, newlines kept, and {@code validate()} builds this from what a REST user typed.
     */
    public O365SourceConfig(Map<?, ?> props) {
        super(CONFIG_DEF, props, false);
    }

    protected O365SourceConfig(ConfigDef def, Map<?, ?> props) {
        super(def, props, false);
    }

    /** The connector's settings, from the catalogue. */
    public static ConfigDef configDef() {
        return CatalogueConfigDef.build();
    }

    /** The value of a catalogue setting; a password's text, or null. */
    @Override
    @SuppressWarnings("unchecked")
    public <T> T value(Setting<T> s) {
        Object v = get(s.key());
        return (T) (v instanceof Password p ? p.value() : v);
    }

    // --- typed getters ---

    /** The tenant, when exactly one is configured (either key); else the first. Null when none is set. */
    public String tenantId() {
        List<String> t = tenants();
        return t.isEmpty() ? null : t.get(0);
    }

    /** Every tenant to collect from: o365.tenant.ids, or o365.tenant.id. */
    public List<String> tenants() {
        List<String> list = getList(TENANT_IDS_CONFIG);
        List<String> out = new ArrayList<>();
        if (list != null) {
            for (String s : list) {
                if (!s.isBlank()) {
                    out.add(s.trim());
                }
            }
        }
        String single = getString(TENANT_ID_CONFIG);
        if (out.isEmpty() && single != null && !single.isBlank()) {
            out.add(single.trim());
        }
        return out;
    }

    /** True when both o365.tenant.id and o365.tenant.ids are set (a configuration error). */
    public boolean bothTenantKeysSet() {
        String single = getString(TENANT_ID_CONFIG);
        return single != null
                && !single.isBlank()
                && getList(TENANT_IDS_CONFIG).stream().anyMatch(x -> !x.isBlank());
    }

    /** The app registration's client id; empty when not set (managed identity). */
    public String clientId() {
        return getString(CLIENT_ID_CONFIG).trim();
    }

    /** The user-assigned managed identity's client id, or null for the system-assigned identity. */
    public String managedIdentityClientId() {
        String s = getString(MANAGED_IDENTITY_CLIENT_ID_CONFIG);
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** The managed-identity token endpoint when it differs from the IMDS default, else null. */
    public String managedIdentityEndpointOverride() {
        String s = getString(MANAGED_IDENTITY_ENDPOINT_CONFIG);
        if (s == null || s.isBlank() || s.trim().equals(MANAGED_IDENTITY_ENDPOINT_DEFAULT)) {
            return null;
        }
        return s.trim();
    }

    public String clientSecret() {
        Password p = getPassword(CLIENT_SECRET_CONFIG);
        return p == null || p.value().isEmpty() ? null : p.value();
    }

    public String certificatePath() {
        String s = getString(CLIENT_CERTIFICATE_PATH_CONFIG);
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** The inline PEM key and certificate, or null. */
    public String certificatePem() {
        Password p = getPassword(CLIENT_CERTIFICATE_PEM_CONFIG);
        return p == null || p.value().isBlank() ? null : p.value();
    }

    /** True when a certificate is configured, as a file or inline. */
    public boolean hasCertificate() {
        return certificatePath() != null || certificatePem() != null;
    }

    /** The key holding the configured certificate: the inline PEM's if set, else the path's. */
    public String certificateKey() {
        return certificatePem() != null ? CLIENT_CERTIFICATE_PEM_CONFIG : CLIENT_CERTIFICATE_PATH_CONFIG;
    }

    /**
     * The sign-in method: {@code secret}, {@code certificate}, {@code workload-identity} or {@code managed-identity}
     * ({@code auto} resolved to secret or certificate).
     */
    public AuthMethod authMethod() {
        AuthMethod m = configuredAuthMethod();
        if (m != AuthMethod.AUTO) {
            return m;
        }
        return hasCertificate() && clientSecret() == null ? AuthMethod.CERTIFICATE : AuthMethod.SECRET;
    }

    /** The configured method, unresolved: {@code auto} or one of {@link #authMethod()}'s values. */
    public AuthMethod configuredAuthMethod() {
        return AuthMethod.fromConfigName(getString(AUTH_METHOD_CONFIG)).orElseThrow();
    }

    /** The federated assertion file: the setting, else the worker's AZURE_FEDERATED_TOKEN_FILE; null if neither. */
    public String clientAssertionFile() {
        String s = getString(CLIENT_ASSERTION_FILE_CONFIG);
        if (s != null && !s.isBlank()) {
            return s.trim();
        }
        String env = System.getenv("AZURE_FEDERATED_TOKEN_FILE");
        return env == null || env.isBlank() ? null : env.trim();
    }

    public String certificatePassword() {
        Password p = getPassword(CLIENT_CERTIFICATE_PASSWORD_CONFIG);
        return p == null ? null : p.value();
    }

    public Cloud cloud() {
        return Cloud.fromConfigName(getString(CLOUD_CONFIG)).orElseThrow();
    }

    public String apiUrlOverride() {
        String s = getString(API_URL_CONFIG);
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** Whether Graph enrichment is on ({@code o365.enrich.enabled}). */
    public boolean enrichEnabled() {
        return getBoolean(io.github.auditlake.o365.settings.EnrichmentSettings.ENABLED.key());
    }

    /** The core's enrichment settings from {@code o365.enrich.*}. */
    public io.github.auditlake.o365.enrich.EnrichSettings enrichSettings() {
        return io.github.auditlake.o365.settings.EnrichmentSettings.toCore(
                getList(io.github.auditlake.o365.settings.EnrichmentSettings.FIELDS.key()),
                getList(io.github.auditlake.o365.settings.EnrichmentSettings.TYPES.key()),
                getLong(io.github.auditlake.o365.settings.EnrichmentSettings.TIMEOUT_MS.key()),
                getInt(io.github.auditlake.o365.settings.EnrichmentSettings.REQUESTS_PER_MINUTE.key()),
                getInt(io.github.auditlake.o365.settings.EnrichmentSettings.CACHE_MAX_ENTRIES.key()),
                getLong(io.github.auditlake.o365.settings.EnrichmentSettings.CACHE_MAX_BYTES.key()),
                getLong(io.github.auditlake.o365.settings.EnrichmentSettings.CACHE_TTL_MS.key()),
                getLong(io.github.auditlake.o365.settings.EnrichmentSettings.NEGATIVE_TTL_MS.key()));
    }

    /** The Graph base URL override ({@code o365.graph.url}), or null. */
    public String graphUrlOverride() {
        String s = getString(GRAPH_URL_CONFIG);
        return s == null || s.isBlank() ? null : s.trim();
    }

    public String loginUrlOverride() {
        String s = getString(LOGIN_URL_CONFIG);
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** The configured PublisherIdentifier, or null: then each tenant's client uses its tenant (see ClientSettings). */
    public String publisherId() {
        String s = getString(PUBLISHER_ID_CONFIG);
        return s == null || s.isBlank() ? null : s.trim();
    }

    public List<ContentType> contentTypes() {
        List<ContentType> out = new ArrayList<>();
        for (String s : getList(CONTENT_TYPES_CONFIG)) {
            out.add(ContentType.fromWireName(s).orElseThrow());
        }
        return out;
    }

    /** Every stream of this connector: one per (tenant, content type), tenant by tenant. */
    public List<StreamId> streams() {
        List<StreamId> out = new ArrayList<>();
        for (String tenant : tenants()) {
            for (ContentType t : contentTypes()) {
                out.add(new StreamId(tenant, t));
            }
        }
        return out;
    }

    public Duration initialLookback() {
        return Duration.ofMillis(getLong(INITIAL_LOOKBACK_MS_CONFIG));
    }

    public Duration pollInterval() {
        return Duration.ofMillis(getLong(POLL_INTERVAL_MS_CONFIG));
    }

    public Duration windowMax() {
        return Duration.ofMillis(getLong(WINDOW_MAX_MS_CONFIG));
    }

    public Duration coverage() {
        return Duration.ofMillis(getLong(COVERAGE_MS_CONFIG));
    }

    public Duration sweepInterval() {
        return Duration.ofMillis(getLong(SWEEP_INTERVAL_MS_CONFIG));
    }

    public String skipsTopic() {
        return getString(SKIPS_TOPIC_CONFIG);
    }

    public int recordMaxBytes() {
        return getInt(RECORD_MAX_BYTES_CONFIG);
    }

    public boolean manageSubscriptions() {
        return getBoolean(MANAGE_SUBSCRIPTIONS_CONFIG);
    }

    public int fetchConcurrency() {
        return getInt(FETCH_CONCURRENCY_CONFIG);
    }

    public long bufferMaxBytes() {
        return getLong(BUFFER_MAX_BYTES_CONFIG);
    }

    public Duration heartbeatInterval() {
        return Duration.ofMillis(getLong(HEARTBEAT_INTERVAL_MS_CONFIG));
    }

    /** The completeness ledger's topic, or null when the ledger is off. */
    public String ledgerTopic() {
        String t = getString(LEDGER_TOPIC_CONFIG);
        return t == null || t.isBlank() ? null : t.trim();
    }

    /** Where history through audit search begins (given the service's time), or empty: history off. */
    public java.util.Optional<java.util.function.UnaryOperator<java.time.Instant>> historyStart() {
        return io.github.auditlake.o365.history.HistoryStart.parse(
                getString(io.github.auditlake.o365.settings.CollectionSettings.HISTORY_START.key()));
    }

    /** The raw o365.history.start, or null when empty. */
    public String historyStartText() {
        String t = getString(io.github.auditlake.o365.settings.CollectionSettings.HISTORY_START.key());
        return t == null || t.isBlank() ? null : t.trim();
    }

    public int historyQueriesPerDay() {
        return getInt(io.github.auditlake.o365.settings.CollectionSettings.HISTORY_QUERIES_PER_DAY.key());
    }

    /** The health topic, or null when none is configured (empty). */
    public String healthTopic() {
        String t = getString(DestinationSettings.HEALTH_TOPIC.key());
        return t == null || t.isBlank() ? null : t.trim();
    }

    public String heartbeatTopic() {
        return getString(HEARTBEAT_TOPIC_CONFIG);
    }

    public int batchMaxRecords() {
        return getInt(BATCH_MAX_RECORDS_CONFIG);
    }

    public int transactionMaxRecords() {
        return getInt(TRANSACTION_MAX_RECORDS_CONFIG);
    }

    public io.github.auditlake.o365.records.RecordMapper.ValueFormat valueFormat() {
        return io.github.auditlake.o365.records.RecordMapper.ValueFormat.fromConfigName(getString(VALUE_FORMAT_CONFIG));
    }

    public List<String> headers() {
        return getList(HEADERS_CONFIG);
    }

    public String topicTemplate() {
        return getString(TOPIC_CONFIG);
    }

    public int requestsPerMinute() {
        return getInt(REQUESTS_PER_MINUTE_CONFIG);
    }

    public int retryMaxAttempts() {
        return getInt(RETRY_MAX_ATTEMPTS_CONFIG);
    }

    public Duration retryBackoff() {
        return Duration.ofMillis(getLong(RETRY_BACKOFF_MS_CONFIG));
    }

    public Duration retryBackoffMax() {
        return Duration.ofMillis(getLong(RETRY_BACKOFF_MAX_MS_CONFIG));
    }

    public Duration httpTimeout() {
        return Duration.ofMillis(getLong(HTTP_TIMEOUT_MS_CONFIG));
    }

    public String proxyUrl() {
        String s = getString(PROXY_URL_CONFIG);
        return s == null || s.isBlank() ? null : s.trim();
    }

    public String proxyUser() {
        String s = getString(PROXY_USER_CONFIG);
        return s == null || s.isBlank() ? null : s.trim();
    }

    public String proxyPassword() {
        Password p = getPassword(PROXY_PASSWORD_CONFIG);
        return p == null ? null : p.value();
    }

    /** Extra certificate authorities for sign-in and API calls. */
    public io.github.auditlake.o365.api.TlsTrust tlsTrust() {
        String store = getString(TLS_TRUSTSTORE_PATH_CONFIG);
        String pem = getString(TLS_CA_PEM_PATH_CONFIG);
        Password pw = getPassword(TLS_TRUSTSTORE_PASSWORD_CONFIG);
        Password inline = getPassword(TLS_CA_PEM_CONFIG);
        return new io.github.auditlake.o365.api.TlsTrust(
                store == null || store.isBlank() ? null : java.nio.file.Path.of(store.trim()),
                pw == null || pw.value().isEmpty() ? null : pw.value(),
                getString(TLS_TRUSTSTORE_TYPE_CONFIG).toUpperCase(java.util.Locale.ROOT),
                pem == null || pem.isBlank() ? null : java.nio.file.Path.of(pem.trim()),
                inline == null || inline.value().isBlank() ? null : inline.value());
    }

    /** The window planner these settings describe (validated by {@code validate()} before tasks start). */
    public WindowPlanner windowPlanner() {
        return EngineMapping.planner(this);
    }
}
