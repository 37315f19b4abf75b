package io.github.auditlake.o365.config;

import io.github.auditlake.o365.api.Cloud;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.client.ClientSettings;
import io.github.auditlake.o365.cursor.StreamId;
import io.github.auditlake.o365.cursor.WindowPlanner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/** The connector's configuration: the one {@link ConfigDef}, documented, with typed getters. */
public class O365SourceConfig extends AbstractConfig {
    static final Pattern GUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    public static final String GROUP_CONNECTION = "Microsoft 365 connection";
    public static final String GROUP_COLLECTION = "Collection";
    public static final String GROUP_DESTINATION = "Destination";
    public static final String GROUP_HTTP = "HTTP and retries";

    public static final String TENANT_ID_CONFIG = "o365.tenant.id";
    static final String TENANT_ID_DOC = "Directory (tenant) ID of the Microsoft 365 tenant to collect from, a GUID "
            + "(Entra admin center > Overview). The API only accepts the GUID, not a domain name. Set exactly one of "
            + "this or o365.tenant.ids.";
    public static final String TENANT_IDS_CONFIG = "o365.tenant.ids";
    static final String TENANT_IDS_DOC = "Several tenants, as a comma-separated list of tenant GUIDs, collected with "
            + "the same app registration (a multi-tenant Entra app consented in each tenant): streams are tenants x "
            + "content types, spread over the tasks. Each tenant has its own token and its own request budget "
            + "(o365.requests.per.minute applies per tenant). One tenant's failure (consent revoked, tenant deleted, "
            + "permission missing) never stops the others: it is logged with the tenant, counted, published on the "
            + "skips topic and retried with backoff. Set exactly one of this or o365.tenant.id. Adding or removing a "
            + "tenant keeps every other stream's offsets.";
    public static final String CLIENT_ID_CONFIG = "o365.client.id";
    static final String CLIENT_ID_DOC = "Application (client) ID of the Entra app registration. It needs the "
            + "application permission ActivityFeed.Read of 'Office 365 Management APIs' with admin consent "
            + "(and ActivityFeed.ReadDlp for DLP.All). Required, except with o365.auth.method=managed-identity (a "
            + "managed identity is not an app registration: leave this empty).";
    public static final String CLIENT_SECRET_CONFIG = "o365.client.secret";
    static final String CLIENT_SECRET_DOC = "Client secret of the app registration. Set exactly one of this or "
            + "a certificate (o365.client.certificate.pem or o365.client.certificate.path). Use a config provider "
            + "(e.g. ${file:/secrets.properties:secret}) to keep it out of the connector config.";
    public static final String CLIENT_CERTIFICATE_PATH_CONFIG = "o365.client.certificate.path";
    static final String CLIENT_CERTIFICATE_PATH_DOC = "Path, on every Connect worker, of the app's certificate with "
            + "its private key: a PKCS#12 file (.p12/.pfx, password in o365.client.certificate.password) or a PEM "
            + "file holding the private key (PKCS#8) and the certificate. The file must lie in a directory the worker "
            + "operator allows (O365_ALLOWED_PATHS or -Do365.allowed.paths on every worker; unset: no file is read), "
            + "be a regular file and at most 1 MiB. Set at most one of this and o365.client.certificate.pem, and not "
            + "with o365.client.secret.";
    public static final String CLIENT_CERTIFICATE_PEM_CONFIG = "o365.client.certificate.pem";
    static final String CLIENT_CERTIFICATE_PEM_DOC = "The app's certificate with its private key as PEM text, in the "
            + "configuration instead of a file: the private key (PKCS#8 'PRIVATE KEY', PKCS#1 'RSA PRIVATE KEY', or "
            + "'ENCRYPTED PRIVATE KEY' with o365.client.certificate.password) and the certificate. A password field: "
            + "give it with a config provider (e.g. ${file:/etc/kafka/secrets/o365.properties:certificate.pem}, the "
            + "provider's file holding the PEM with escaped newlines) so it never shows in the connector config. Needs "
            + "no allowed directory. Set at most one of this and o365.client.certificate.path, and not with "
            + "o365.client.secret.";
    public static final String AUTH_METHOD_CONFIG = "o365.auth.method";
    static final String AUTH_METHOD_DOC = "How the app signs in: 'secret' (o365.client.secret), 'certificate' "
            + "(o365.client.certificate.pem or o365.client.certificate.path), 'workload-identity' (a federated client assertion from a file, no "
            + "long-lived secret: Entra workload identity federation, for example the Kubernetes projected token that "
            + "Azure workload identity points to with AZURE_FEDERATED_TOKEN_FILE; the file is read again for every "
            + "token request, so rotation needs nothing), 'managed-identity' (the Azure managed identity of the "
            + "resource the workers run on, system-assigned or o365.managed.identity.client.id; no app registration "
            + "and no credential: grant the identity the ActivityFeed.Read app role; it signs in to its own tenant "
            + "only), or 'auto' (secret or certificate, whichever is set; never managed identity). validate() checks "
            + "that the fields match the method.";
    public static final String MANAGED_IDENTITY_CLIENT_ID_CONFIG = "o365.managed.identity.client.id";
    static final String MANAGED_IDENTITY_CLIENT_ID_DOC = "With o365.auth.method=managed-identity: the client id "
            + "of the user-assigned managed identity to sign in as (a GUID; the identity must be attached to the "
            + "resource every worker runs on). Empty: the resource's system-assigned identity.";
    public static final String MANAGED_IDENTITY_ENDPOINT_CONFIG = "o365.managed.identity.endpoint";
    public static final String MANAGED_IDENTITY_ENDPOINT_DEFAULT =
            io.github.auditlake.o365.auth.OkHttpMsalHttpClient.IMDS_TOKEN_ENDPOINT;
    static final String MANAGED_IDENTITY_ENDPOINT_DOC = "With o365.auth.method=managed-identity: the managed-identity "
            + "token endpoint, by default the Azure Instance Metadata Service (IMDS) of VMs, scale sets and AKS "
            + "nodes. On App Service and Functions the platform's IDENTITY_ENDPOINT and IDENTITY_HEADER are used "
            + "instead, whatever this says. Override it only for a simulator or an unusual network: plain http is "
            + "allowed for loopback and link-local (169.254.x.x) addresses only, and a host other than IMDS's must "
            + "be on the worker's endpoint allow-list (O365_ENDPOINT_OVERRIDE_HOSTS or "
            + "-Do365.endpoint.override.hosts), because it issues the access token.";
    public static final String CLIENT_ASSERTION_FILE_CONFIG = "o365.client.assertion.file";
    static final String CLIENT_ASSERTION_FILE_DOC = "With o365.auth.method=workload-identity: the file, on every "
            + "worker, holding the federated client assertion (a JWT whose issuer and subject match a federated "
            + "credential of the app registration, audience api://AzureADTokenExchange). Empty: the file named by "
            + "the worker's environment variable AZURE_FEDERATED_TOKEN_FILE. That file is always allowed; any other "
            + "must lie in a directory the worker operator allows (O365_ALLOWED_PATHS or -Do365.allowed.paths), be a "
            + "regular file and at most 1 MiB.";
    public static final String CLIENT_CERTIFICATE_PASSWORD_CONFIG = "o365.client.certificate.password";
    static final String CLIENT_CERTIFICATE_PASSWORD_DOC = "Password of the PKCS#12 certificate file, or of an "
            + "encrypted PEM private key (file or o365.client.certificate.pem), if it has one.";
    public static final String CLOUD_CONFIG = "o365.cloud";
    static final String CLOUD_DOC = "Microsoft cloud of the tenant: 'commercial' (also GCC tenants that use the "
            + "commercial endpoint), 'gcc' (manage-gcc.office.com), 'gcc-high' (manage.office365.us, "
            + "login.microsoftonline.us) or 'dod' (manage.protection.apps.mil, login.microsoftonline.us).";
    public static final String API_URL_CONFIG = "o365.api.url";
    static final String API_URL_DOC = "Overrides the API base URL of the cloud (for example a simulator or a "
            + "reverse proxy), without the /api/v1.0 path. Plain http is allowed only for loopback addresses. The "
            + "host must be on the worker's endpoint allow-list (environment variable O365_ENDPOINT_OVERRIDE_HOSTS "
            + "or JVM system property o365.endpoint.override.hosts, set by the worker operator), because it receives "
            + "the access token. URLs the service returns on the cloud's API host (contentUri, NextPageUri) are "
            + "rewritten to this base, so a reverse proxy sees every call.";
    public static final String LOGIN_URL_CONFIG = "o365.login.url";
    static final String LOGIN_URL_DOC = "Overrides the Entra login base URL of the cloud (for example a simulator "
            + "or a reverse proxy), without the tenant path. Plain http is allowed only for loopback addresses. The "
            + "host must be on the worker's endpoint allow-list (O365_ENDPOINT_OVERRIDE_HOSTS or "
            + "-Do365.endpoint.override.hosts), because it receives the client secret or signed assertion.";
    public static final String PUBLISHER_ID_CONFIG = "o365.publisher.id";
    static final String PUBLISHER_ID_DOC = "PublisherIdentifier sent on every request: the tenant GUID of whoever "
            + "runs the collector. It selects the throttling quota; empty means each stream's own tenant id.";

    public static final String CONTENT_TYPES_CONFIG = "o365.content.types";
    static final String CONTENT_TYPES_DOC = "Content types to collect; each is one stream (one source partition). "
            + "Any of Audit.AzureActiveDirectory, Audit.Exchange, Audit.SharePoint, Audit.General, DLP.All.";
    public static final String INITIAL_LOOKBACK_MS_CONFIG = "o365.initial.lookback.ms";
    public static final long INITIAL_LOOKBACK_MS_DEFAULT =
            Duration.ofDays(7).minusMinutes(15).toMillis();
    static final String INITIAL_LOOKBACK_MS_DOC = "Where a stream without a stored position (first start, or after "
            + "an offset reset) begins: now minus this. The default is the 7 days the API keeps, less 15 minutes "
            + "of safety margin; the maximum is 7 days.";
    public static final String POLL_INTERVAL_MS_CONFIG = "o365.poll.interval.ms";
    static final String POLL_INTERVAL_MS_DOC = "Time between listings of a stream once it has caught up with now. "
            + "Each listing costs one request per stream plus one per page.";
    public static final String WINDOW_MAX_MS_CONFIG = "o365.window.max.ms";
    static final String WINDOW_MAX_MS_DOC = "Largest step the frontier listing window advances while catching up (at "
            + "most 23 hours: each listing also re-lists the most recent hour, and the API lists at most 24 hours at "
            + "once).";
    public static final String COVERAGE_MS_CONFIG = "o365.straggler.coverage.ms";
    public static final long COVERAGE_MS_DEFAULT = Duration.ofHours(24).toMillis();
    static final String COVERAGE_MS_DOC = "How late a content blob may become visible, after its contentCreated, and "
            + "still be delivered (exactly once). Microsoft documents that blobs appear out of order and late: core "
            + "services typically after 60-90 minutes, other workloads later, and after incidents some records 3-5 "
            + "days late. The most recent hour is re-listed with every listing, the last 24 hours every "
            + "o365.straggler.sweep.interval.ms, older spans up to this coverage four times less often, in listings of "
            + "at most 24 hours. The offset remembers the blobs delivered within the coverage (about 8 bytes each). "
            + "Up to 7 days minus 15 minutes (the API's retention).";
    public static final String SWEEP_INTERVAL_MS_CONFIG = "o365.straggler.sweep.interval.ms";
    static final String SWEEP_INTERVAL_MS_DOC = "Time between sweeps of the last 24 hours for blobs that became "
            + "visible late (a sweep lists the span again and delivers only blobs not delivered yet; it costs one "
            + "request per 600 blobs of the span). Spans older than 24 hours (when o365.straggler.coverage.ms exceeds "
            + "a day) are swept four times less often.";
    public static final String MANAGE_SUBSCRIPTIONS_CONFIG = "o365.subscriptions.manage.enabled";
    static final String MANAGE_SUBSCRIPTIONS_DOC = "Start missing or disabled subscriptions (at start-up and when "
            + "the API reports AF20022/AF20023), at most once per 15 minutes per content type. Disable it when "
            + "subscriptions are managed elsewhere; the task then fails with a clear error if one is not enabled.";
    public static final String FETCH_CONCURRENCY_CONFIG = "o365.fetch.concurrency";
    static final String FETCH_CONCURRENCY_DOC = "Blobs a task fetches ahead at once, besides each stream's "
            + "current blob (which always has its own fetch). Records are still emitted in order per stream.";
    public static final String BUFFER_MAX_BYTES_CONFIG = "o365.buffer.max.bytes";
    static final String BUFFER_MAX_BYTES_DOC = "Approximate heap bytes that all tasks of this plugin in one worker "
            + "JVM may hold together in records not yet acknowledged by the broker: blobs fetched ahead, each "
            + "stream's current blob, the records waiting for poll() and those in the worker's pipeline, whatever "
            + "the blob sizes (a blob is streamed, never held whole). One "
            + "budget per worker, shared fairly by the tasks that use it; when tasks were started with different "
            + "values, the largest applies. Each stream may exceed it by two records, so every stream progresses.";
    public static final String HEARTBEAT_INTERVAL_MS_CONFIG = "o365.heartbeat.interval.ms";
    static final String HEARTBEAT_INTERVAL_MS_DOC = "Kafka Connect stores a source position only with a record. "
            + "When a stream progresses without records (empty windows), a small heartbeat record is written to "
            + "o365.heartbeat.topic at most this often, so a restart does not re-list those windows. 0 disables "
            + "heartbeats (a restart then re-lists from the last record).";
    public static final String HEARTBEAT_TOPIC_CONFIG = "o365.heartbeat.topic";
    static final String HEARTBEAT_TOPIC_DOC = "Topic of heartbeat records (never an audit topic). Key: the stream; "
            + "value: a small JSON document with the stream's position. It must exist, or Connect must be allowed to "
            + "create it (topic.creation.default.replication.factor and .partitions in the connector config): "
            + "otherwise the task's producer waits for it and then fails.";
    public static final String SKIPS_TOPIC_CONFIG = "o365.skips.topic";
    static final String SKIPS_TOPIC_DOC = "Topic of what could not be delivered as it is, so nothing is only logged: a "
            + "blob the service says is gone or expired (stream, contentId, contentUri, contentExpiration, reason, "
            + "records delivered before the skip), and a blob element that is not an audit record or a record larger "
            + "than o365.record.max.bytes (its raw text when it fits, else its Id and size). Key: the content id. "
            + "Never an audit topic. Like the heartbeat topic, it must exist or Connect must be allowed to create it.";
    public static final String RECORD_MAX_BYTES_CONFIG = "o365.record.max.bytes";
    static final String RECORD_MAX_BYTES_DOC = "Largest audit record (UTF-8 bytes of its JSON) sent to the audit "
            + "topic; a larger one is counted and skipped while it is read, never held in memory, and goes to the "
            + "skips topic (with its Id and size) instead of failing the task. Keep it below "
            + "the producer's max.request.size (1048576 by default; raise both with producer.override.max.request.size "
            + "and the topic's max.message.bytes for very large records).";
    public static final String BATCH_MAX_RECORDS_CONFIG = "o365.batch.max.records";
    static final String BATCH_MAX_RECORDS_DOC = "Most records returned by one poll().";
    public static final String TRANSACTION_MAX_RECORDS_CONFIG = "o365.transaction.max.records";
    static final String TRANSACTION_MAX_RECORDS_DOC = "With exactly-once and transaction.boundary=connector: "
            + "transactions end at blob boundaries, or after this many records inside a large blob.";

    public static final String VALUE_FORMAT_CONFIG = "o365.value.format";
    static final String VALUE_FORMAT_DOC = "The record value: 'json-string' (the original JSON text with a string "
            + "schema, for SIEMs; use StringConverter), 'json-bytes' (the original JSON as UTF-8 bytes with a bytes "
            + "schema: nothing is decoded and encoded again; fastest with ByteArrayConverter), or 'struct' (a Connect "
            + "Struct of the Management API's common schema: Id, RecordType, CreationTime as a Timestamp, Operation, "
            + "OrganizationId, UserType, UserKey, Workload, ResultStatus, ObjectId, UserId, ClientIP, Scope, and Raw "
            + "holding the original JSON text; schema io.github.auditlake.o365.AuditRecord version 1; for SMTs, "
            + "JsonConverter with schemas.enable, Schema Registry converters and table sinks).";
    public static final String HEADERS_CONFIG = "o365.headers";
    static final String HEADERS_DOC = "Headers added to every audit record (each prefixed with 'o365.'): any of "
            + "tenant, content.type, content.id, content.created, workload, record.type, operation; empty for none "
            + "(fastest: header conversion is a per-record cost of the worker).";

    public static final String TOPIC_CONFIG = "topic";
    static final String TOPIC_DOC = "Destination topic. '${contentType}' is replaced by the lower-cased content "
            + "type (audit.azureactivedirectory, audit.exchange, audit.sharepoint, audit.general, dlp.all) and "
            + "'${tenant}' by the tenant id; e.g. 'o365.${contentType}' gives one topic per content type.";

    public static final String REQUESTS_PER_MINUTE_CONFIG = "o365.requests.per.minute";
    static final String REQUESTS_PER_MINUTE_DOC = "Client-side request budget per connector (shared evenly by its "
            + "tasks), kept below Microsoft's per-tenant throttle (2,000 requests per minute baseline).";
    public static final String RETRY_MAX_ATTEMPTS_CONFIG = "o365.retry.max.attempts";
    static final String RETRY_MAX_ATTEMPTS_DOC = "Attempts of one HTTP call on transient errors (throttling AF429, "
            + "5xx, 408, timeouts) before the task's own backoff takes over.";
    public static final String RETRY_BACKOFF_MS_CONFIG = "o365.retry.backoff.ms";
    static final String RETRY_BACKOFF_MS_DOC = "First retry delay; it doubles per attempt (full jitter), and a "
            + "Retry-After from the service is honoured.";
    public static final String RETRY_BACKOFF_MAX_MS_CONFIG = "o365.retry.backoff.max.ms";
    static final String RETRY_BACKOFF_MAX_MS_DOC =
            "Cap on the HTTP client's retry delays; the task's own backoff between failed listings or blob fetches is capped at five times this.";
    public static final String HTTP_TIMEOUT_MS_CONFIG = "o365.http.timeout.ms";
    static final String HTTP_TIMEOUT_MS_DOC = "Connect and read timeout of HTTP calls (a read timeout applies "
            + "between bytes, so large blobs are not cut off). Every call but a blob's also has a whole-call timeout "
            + "of three times this, at least 2 minutes.";
    public static final String PROXY_URL_CONFIG = "o365.http.proxy.url";
    static final String PROXY_URL_DOC = "HTTP proxy for sign-in and API calls, for example "
            + "http://proxy.example:3128. Empty: no proxy. Credentials never go in this URL: use "
            + "o365.http.proxy.user and o365.http.proxy.password. The proxy's host (host or host:port) must be on the "
            + "worker's endpoint allow-list (O365_ENDPOINT_OVERRIDE_HOSTS or -Do365.endpoint.override.hosts), with or "
            + "without credentials, because it sees every request. Loopback targets are always reached directly, and "
            + "a plain-http o365.api.url or o365.login.url cannot be combined with a proxy. The password is sent only "
            + "to the proxy's own challenge (CONNECT), never to a server inside the tunnel.";
    public static final String PROXY_USER_CONFIG = "o365.http.proxy.user";
    static final String PROXY_USER_DOC = "Proxy user name, if the proxy requires authentication.";
    public static final String PROXY_PASSWORD_CONFIG = "o365.http.proxy.password";
    static final String PROXY_PASSWORD_DOC =
            "Proxy password, used with o365.http.proxy.user (basic proxy authentication).";

    public static final String TLS_TRUSTSTORE_PATH_CONFIG = "o365.tls.truststore.path";
    static final String TLS_TRUSTSTORE_PATH_DOC = "A trust store file (PKCS12 or JKS), on every worker, with extra "
            + "certificate authorities to trust for sign-in and API calls, for example a TLS-inspecting proxy's CA. "
            + "They are added to the JVM's default authorities; certificate checks are never turned off. The file must "
            + "lie in a directory the worker operator allows (O365_ALLOWED_PATHS or -Do365.allowed.paths), be a "
            + "regular file and at most 1 MiB.";
    public static final String TLS_TRUSTSTORE_PASSWORD_CONFIG = "o365.tls.truststore.password";
    static final String TLS_TRUSTSTORE_PASSWORD_DOC = "Password of o365.tls.truststore.path, if it has one.";
    public static final String TLS_TRUSTSTORE_TYPE_CONFIG = "o365.tls.truststore.type";
    static final String TLS_TRUSTSTORE_TYPE_DOC = "Type of o365.tls.truststore.path: PKCS12 or JKS.";
    public static final String TLS_CA_PEM_PATH_CONFIG = "o365.tls.ca.pem.path";
    static final String TLS_CA_PEM_PATH_DOC = "A PEM file, on every worker, of one or more extra CA certificates to "
            + "trust for sign-in and API calls (an alternative or addition to o365.tls.truststore.path). The file must "
            + "lie in a directory the worker operator allows (O365_ALLOWED_PATHS or -Do365.allowed.paths), be a "
            + "regular file and at most 1 MiB. Set at most one of this and o365.tls.ca.pem.";
    public static final String TLS_CA_PEM_CONFIG = "o365.tls.ca.pem";
    static final String TLS_CA_PEM_DOC = "One or more extra CA certificates to trust for sign-in and API calls, as PEM "
            + "text in the configuration instead of a file (added to the JVM's default authorities). A password field, "
            + "so a config provider can supply it; needs no allowed directory. Set at most one of this and "
            + "o365.tls.ca.pem.path.";

    /** Distance kept from the API's 7-day listing limit. */
    public static final Duration RETENTION_MARGIN = Duration.ofMinutes(15);

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

    public static ConfigDef configDef() {
        ConfigDef d = new ConfigDef();
        int o = 0;
        d.define(
                TENANT_ID_CONFIG,
                Type.STRING,
                "",
                optionalGuid(),
                Importance.HIGH,
                TENANT_ID_DOC,
                GROUP_CONNECTION,
                ++o,
                Width.MEDIUM,
                "Tenant ID");
        d.define(
                TENANT_IDS_CONFIG,
                Type.LIST,
                "",
                guidList(),
                Importance.HIGH,
                TENANT_IDS_DOC,
                GROUP_CONNECTION,
                ++o,
                Width.LONG,
                "Tenant IDs");
        d.define(
                CLIENT_ID_CONFIG,
                Type.STRING,
                "",
                Importance.HIGH,
                CLIENT_ID_DOC,
                GROUP_CONNECTION,
                ++o,
                Width.MEDIUM,
                "Client ID");
        d.define(
                CLIENT_SECRET_CONFIG,
                Type.PASSWORD,
                null,
                Importance.HIGH,
                CLIENT_SECRET_DOC,
                GROUP_CONNECTION,
                ++o,
                Width.MEDIUM,
                "Client secret");
        d.define(
                CLIENT_CERTIFICATE_PATH_CONFIG,
                Type.STRING,
                null,
                Importance.HIGH,
                CLIENT_CERTIFICATE_PATH_DOC,
                GROUP_CONNECTION,
                ++o,
                Width.LONG,
                "Client certificate path");
        d.define(
                CLIENT_CERTIFICATE_PEM_CONFIG,
                Type.PASSWORD,
                null,
                Importance.MEDIUM,
                CLIENT_CERTIFICATE_PEM_DOC,
                GROUP_CONNECTION,
                ++o,
                Width.LONG,
                "Client certificate (PEM)");
        d.define(
                CLIENT_CERTIFICATE_PASSWORD_CONFIG,
                Type.PASSWORD,
                null,
                Importance.MEDIUM,
                CLIENT_CERTIFICATE_PASSWORD_DOC,
                GROUP_CONNECTION,
                ++o,
                Width.MEDIUM,
                "Client certificate password");
        d.define(
                AUTH_METHOD_CONFIG,
                Type.STRING,
                "auto",
                ConfigDef.CaseInsensitiveValidString.in(
                        "auto", "secret", "certificate", "workload-identity", "managed-identity"),
                Importance.MEDIUM,
                AUTH_METHOD_DOC,
                GROUP_CONNECTION,
                ++o,
                Width.MEDIUM,
                "Sign-in method");
        d.define(
                CLIENT_ASSERTION_FILE_CONFIG,
                Type.STRING,
                "",
                Importance.MEDIUM,
                CLIENT_ASSERTION_FILE_DOC,
                GROUP_CONNECTION,
                ++o,
                Width.LONG,
                "Client assertion file");
        d.define(
                MANAGED_IDENTITY_CLIENT_ID_CONFIG,
                Type.STRING,
                "",
                optionalGuid(),
                Importance.MEDIUM,
                MANAGED_IDENTITY_CLIENT_ID_DOC,
                GROUP_CONNECTION,
                ++o,
                Width.MEDIUM,
                "Managed identity client ID");
        d.define(
                MANAGED_IDENTITY_ENDPOINT_CONFIG,
                Type.STRING,
                MANAGED_IDENTITY_ENDPOINT_DEFAULT,
                Importance.LOW,
                MANAGED_IDENTITY_ENDPOINT_DOC,
                GROUP_CONNECTION,
                ++o,
                Width.LONG,
                "Managed identity endpoint");
        d.define(
                CLOUD_CONFIG,
                Type.STRING,
                Cloud.COMMERCIAL.configName(),
                ConfigDef.ValidString.in(
                        Arrays.stream(Cloud.values()).map(Cloud::configName).toArray(String[]::new)),
                Importance.HIGH,
                CLOUD_DOC,
                GROUP_CONNECTION,
                ++o,
                Width.SHORT,
                "Cloud");
        d.define(
                API_URL_CONFIG,
                Type.STRING,
                "",
                Importance.LOW,
                API_URL_DOC,
                GROUP_CONNECTION,
                ++o,
                Width.LONG,
                "API URL override");
        d.define(
                LOGIN_URL_CONFIG,
                Type.STRING,
                "",
                Importance.LOW,
                LOGIN_URL_DOC,
                GROUP_CONNECTION,
                ++o,
                Width.LONG,
                "Login URL override");
        d.define(
                PUBLISHER_ID_CONFIG,
                Type.STRING,
                "",
                optionalGuid(),
                Importance.MEDIUM,
                PUBLISHER_ID_DOC,
                GROUP_CONNECTION,
                ++o,
                Width.MEDIUM,
                "Publisher ID");

        o = 0;
        d.define(
                CONTENT_TYPES_CONFIG,
                Type.LIST,
                Arrays.stream(ContentType.values()).map(ContentType::wireName).collect(Collectors.joining(",")),
                contentTypesValidator(),
                Importance.HIGH,
                CONTENT_TYPES_DOC,
                GROUP_COLLECTION,
                ++o,
                Width.LONG,
                "Content types");
        d.define(
                INITIAL_LOOKBACK_MS_CONFIG,
                Type.LONG,
                INITIAL_LOOKBACK_MS_DEFAULT,
                ConfigDef.Range.between(0, Duration.ofDays(7).toMillis()),
                Importance.MEDIUM,
                INITIAL_LOOKBACK_MS_DOC,
                GROUP_COLLECTION,
                ++o,
                Width.SHORT,
                "Initial lookback (ms)");
        d.define(
                POLL_INTERVAL_MS_CONFIG,
                Type.LONG,
                60_000L,
                ConfigDef.Range.between(100, Duration.ofHours(1).toMillis()),
                Importance.MEDIUM,
                POLL_INTERVAL_MS_DOC,
                GROUP_COLLECTION,
                ++o,
                Width.SHORT,
                "Poll interval (ms)");
        d.define(
                WINDOW_MAX_MS_CONFIG,
                Type.LONG,
                Duration.ofHours(1).toMillis(),
                ConfigDef.Range.between(60_000, Duration.ofHours(23).toMillis()),
                Importance.LOW,
                WINDOW_MAX_MS_DOC,
                GROUP_COLLECTION,
                ++o,
                Width.SHORT,
                "Window size (ms)");
        d.define(
                COVERAGE_MS_CONFIG,
                Type.LONG,
                COVERAGE_MS_DEFAULT,
                ConfigDef.Range.between(
                        Duration.ofHours(1).toMillis(),
                        Duration.ofDays(7).minus(RETENTION_MARGIN).toMillis()),
                Importance.MEDIUM,
                COVERAGE_MS_DOC,
                GROUP_COLLECTION,
                ++o,
                Width.SHORT,
                "Straggler coverage (ms)");
        d.define(
                SWEEP_INTERVAL_MS_CONFIG,
                Type.LONG,
                Duration.ofMinutes(15).toMillis(),
                ConfigDef.Range.between(1000, Duration.ofHours(6).toMillis()),
                Importance.LOW,
                SWEEP_INTERVAL_MS_DOC,
                GROUP_COLLECTION,
                ++o,
                Width.SHORT,
                "Straggler sweep interval (ms)");
        d.define(
                MANAGE_SUBSCRIPTIONS_CONFIG,
                Type.BOOLEAN,
                true,
                Importance.MEDIUM,
                MANAGE_SUBSCRIPTIONS_DOC,
                GROUP_COLLECTION,
                ++o,
                Width.SHORT,
                "Manage subscriptions");
        d.define(
                FETCH_CONCURRENCY_CONFIG,
                Type.INT,
                4,
                ConfigDef.Range.between(1, 64),
                Importance.LOW,
                FETCH_CONCURRENCY_DOC,
                GROUP_COLLECTION,
                ++o,
                Width.SHORT,
                "Fetch concurrency");
        d.define(
                BUFFER_MAX_BYTES_CONFIG,
                Type.LONG,
                32L * 1024 * 1024,
                ConfigDef.Range.between(1024 * 1024, 4L * 1024 * 1024 * 1024),
                Importance.LOW,
                BUFFER_MAX_BYTES_DOC,
                GROUP_COLLECTION,
                ++o,
                Width.SHORT,
                "Worker-wide buffer size (bytes)");
        d.define(
                HEARTBEAT_INTERVAL_MS_CONFIG,
                Type.LONG,
                Duration.ofMinutes(5).toMillis(),
                ConfigDef.Range.atLeast(0),
                Importance.LOW,
                HEARTBEAT_INTERVAL_MS_DOC,
                GROUP_COLLECTION,
                ++o,
                Width.SHORT,
                "Heartbeat interval (ms)");
        d.define(
                HEARTBEAT_TOPIC_CONFIG,
                Type.STRING,
                "o365-audit-heartbeats",
                new ConfigDef.NonEmptyString(),
                Importance.LOW,
                HEARTBEAT_TOPIC_DOC,
                GROUP_COLLECTION,
                ++o,
                Width.MEDIUM,
                "Heartbeat topic");
        d.define(
                SKIPS_TOPIC_CONFIG,
                Type.STRING,
                "o365-audit-skips",
                new ConfigDef.NonEmptyString(),
                Importance.MEDIUM,
                SKIPS_TOPIC_DOC,
                GROUP_COLLECTION,
                ++o,
                Width.MEDIUM,
                "Skips topic");
        d.define(
                RECORD_MAX_BYTES_CONFIG,
                Type.INT,
                1_000_000,
                ConfigDef.Range.between(1024, Integer.MAX_VALUE),
                Importance.LOW,
                RECORD_MAX_BYTES_DOC,
                GROUP_COLLECTION,
                ++o,
                Width.SHORT,
                "Record size limit");
        d.define(
                BATCH_MAX_RECORDS_CONFIG,
                Type.INT,
                2000,
                ConfigDef.Range.between(1, 100_000),
                Importance.LOW,
                BATCH_MAX_RECORDS_DOC,
                GROUP_COLLECTION,
                ++o,
                Width.SHORT,
                "Batch size");
        d.define(
                TRANSACTION_MAX_RECORDS_CONFIG,
                Type.INT,
                10_000,
                ConfigDef.Range.between(1, 1_000_000),
                Importance.LOW,
                TRANSACTION_MAX_RECORDS_DOC,
                GROUP_COLLECTION,
                ++o,
                Width.SHORT,
                "Transaction size");

        o = 0;
        d.define(
                TOPIC_CONFIG,
                Type.STRING,
                "o365-audit",
                new ConfigDef.NonEmptyString(),
                Importance.HIGH,
                TOPIC_DOC,
                GROUP_DESTINATION,
                ++o,
                Width.MEDIUM,
                "Topic");
        d.define(
                VALUE_FORMAT_CONFIG,
                Type.STRING,
                "json-string",
                ConfigDef.CaseInsensitiveValidString.in("json-string", "json-bytes", "struct"),
                Importance.MEDIUM,
                VALUE_FORMAT_DOC,
                GROUP_DESTINATION,
                ++o,
                Width.SHORT,
                "Value format");
        d.define(
                HEADERS_CONFIG,
                Type.LIST,
                String.join(",", io.github.auditlake.o365.records.RecordMapper.ALL_HEADERS),
                ConfigDef.ValidList.in(
                        io.github.auditlake.o365.records.RecordMapper.ALL_HEADERS.toArray(new String[0])),
                Importance.LOW,
                HEADERS_DOC,
                GROUP_DESTINATION,
                ++o,
                Width.LONG,
                "Headers");

        o = 0;
        d.define(
                REQUESTS_PER_MINUTE_CONFIG,
                Type.INT,
                ClientSettings.DEFAULT_REQUESTS_PER_MINUTE,
                ConfigDef.Range.between(1, 60_000),
                Importance.MEDIUM,
                REQUESTS_PER_MINUTE_DOC,
                GROUP_HTTP,
                ++o,
                Width.SHORT,
                "Requests per minute");
        d.define(
                RETRY_MAX_ATTEMPTS_CONFIG,
                Type.INT,
                6,
                ConfigDef.Range.between(1, 100),
                Importance.LOW,
                RETRY_MAX_ATTEMPTS_DOC,
                GROUP_HTTP,
                ++o,
                Width.SHORT,
                "Retry attempts");
        d.define(
                RETRY_BACKOFF_MS_CONFIG,
                Type.LONG,
                1000L,
                ConfigDef.Range.between(1, 600_000),
                Importance.LOW,
                RETRY_BACKOFF_MS_DOC,
                GROUP_HTTP,
                ++o,
                Width.SHORT,
                "Retry backoff (ms)");
        d.define(
                RETRY_BACKOFF_MAX_MS_CONFIG,
                Type.LONG,
                60_000L,
                ConfigDef.Range.between(1, 3_600_000),
                Importance.LOW,
                RETRY_BACKOFF_MAX_MS_DOC,
                GROUP_HTTP,
                ++o,
                Width.SHORT,
                "Retry backoff cap (ms)");
        d.define(
                HTTP_TIMEOUT_MS_CONFIG,
                Type.LONG,
                60_000L,
                ConfigDef.Range.between(1000, 600_000),
                Importance.LOW,
                HTTP_TIMEOUT_MS_DOC,
                GROUP_HTTP,
                ++o,
                Width.SHORT,
                "HTTP timeout (ms)");
        d.define(
                PROXY_URL_CONFIG,
                Type.STRING,
                "",
                proxyUrlValidator(),
                Importance.LOW,
                PROXY_URL_DOC,
                GROUP_HTTP,
                ++o,
                Width.LONG,
                "Proxy URL");
        d.define(
                PROXY_USER_CONFIG,
                Type.STRING,
                "",
                Importance.LOW,
                PROXY_USER_DOC,
                GROUP_HTTP,
                ++o,
                Width.MEDIUM,
                "Proxy user");
        d.define(
                PROXY_PASSWORD_CONFIG,
                Type.PASSWORD,
                null,
                Importance.LOW,
                PROXY_PASSWORD_DOC,
                GROUP_HTTP,
                ++o,
                Width.MEDIUM,
                "Proxy password");
        d.define(
                TLS_TRUSTSTORE_PATH_CONFIG,
                Type.STRING,
                "",
                Importance.LOW,
                TLS_TRUSTSTORE_PATH_DOC,
                GROUP_HTTP,
                ++o,
                Width.LONG,
                "TLS trust store");
        d.define(
                TLS_TRUSTSTORE_PASSWORD_CONFIG,
                Type.PASSWORD,
                null,
                Importance.LOW,
                TLS_TRUSTSTORE_PASSWORD_DOC,
                GROUP_HTTP,
                ++o,
                Width.MEDIUM,
                "TLS trust store password");
        d.define(
                TLS_TRUSTSTORE_TYPE_CONFIG,
                Type.STRING,
                "PKCS12",
                ConfigDef.CaseInsensitiveValidString.in("PKCS12", "JKS"),
                Importance.LOW,
                TLS_TRUSTSTORE_TYPE_DOC,
                GROUP_HTTP,
                ++o,
                Width.SHORT,
                "TLS trust store type");
        d.define(
                TLS_CA_PEM_PATH_CONFIG,
                Type.STRING,
                "",
                Importance.LOW,
                TLS_CA_PEM_PATH_DOC,
                GROUP_HTTP,
                ++o,
                Width.LONG,
                "TLS CA bundle (PEM file)");
        d.define(
                TLS_CA_PEM_CONFIG,
                Type.PASSWORD,
                null,
                Importance.LOW,
                TLS_CA_PEM_DOC,
                GROUP_HTTP,
                ++o,
                Width.LONG,
                "TLS CA certificates (PEM)");
        return d;
    }

    private static ConfigDef.Validator guid() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (value == null || !GUID.matcher(((String) value).trim()).matches()) {
                    throw new ConfigException(
                            name,
                            value,
                            "must be a GUID such as "
                                    + "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d (the API rejects domain names: AF20013)");
                }
            }

            @Override
            public String toString() {
                return "a GUID";
            }
        };
    }

    /** An http URL without user info; the message never echoes the value (it may hold a password). */
    private static ConfigDef.Validator proxyUrlValidator() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                String s = value == null ? "" : ((String) value).trim();
                if (s.isEmpty()) {
                    return;
                }
                java.net.URI u;
                try {
                    u = java.net.URI.create(s);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(name + " is not a URL; use the form http://proxy.example:3128");
                }
                if (u.getRawUserInfo() != null) {
                    throw new ConfigException("The proxy URL must not contain credentials (they would be stored and "
                            + "logged in clear, and were never used): remove them from " + name + " and set "
                            + PROXY_USER_CONFIG + " and " + PROXY_PASSWORD_CONFIG + " (a password field) instead");
                }
                if (u.getHost() == null || !"http".equalsIgnoreCase(u.getScheme())) {
                    throw new ConfigException(name + " must be an http URL such as http://proxy.example:3128");
                }
            }

            @Override
            public String toString() {
                return "empty, or an http URL without credentials such as http://proxy.example:3128";
            }
        };
    }

    private static ConfigDef.Validator guidList() {
        ConfigDef.Validator g = guid();
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                @SuppressWarnings("unchecked")
                List<String> list = value == null ? List.of() : (List<String>) value;
                java.util.Set<String> seen = new java.util.HashSet<>();
                for (String s : list) {
                    g.ensureValid(name, s);
                    if (!seen.add(s.trim().toLowerCase(java.util.Locale.ROOT))) {
                        throw new ConfigException(name, value, "lists tenant " + s.trim() + " twice");
                    }
                }
            }

            @Override
            public String toString() {
                return "empty, or a comma-separated list of tenant GUIDs";
            }
        };
    }

    private static ConfigDef.Validator optionalGuid() {
        ConfigDef.Validator g = guid();
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (value != null && !((String) value).isBlank()) {
                    g.ensureValid(name, value);
                }
            }

            @Override
            public String toString() {
                return "empty, or a GUID";
            }
        };
    }

    private static ConfigDef.Validator contentTypesValidator() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                @SuppressWarnings("unchecked")
                List<String> list = (List<String>) value;
                if (list == null || list.isEmpty()) {
                    throw new ConfigException(name, value, "must name at least one content type");
                }
                for (String s : list) {
                    if (ContentType.fromWireName(s).isEmpty()) {
                        throw new ConfigException(
                                name,
                                value,
                                "'" + s + "' is not a content type; use " + Arrays.toString(ContentType.values()));
                    }
                }
                if (list.stream()
                                .map(s -> ContentType.fromWireName(s).get())
                                .distinct()
                                .count()
                        != list.size()) {
                    throw new ConfigException(name, value, "lists a content type twice");
                }
            }

            @Override
            public String toString() {
                return "a non-empty list of " + Arrays.toString(ContentType.values());
            }
        };
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
    public String authMethod() {
        String m = getString(AUTH_METHOD_CONFIG).trim().toLowerCase(java.util.Locale.ROOT);
        if (!m.equals("auto")) {
            return m;
        }
        return hasCertificate() && clientSecret() == null ? "certificate" : "secret";
    }

    /** The configured method, unresolved: {@code auto} or one of {@link #authMethod()}'s values. */
    public String configuredAuthMethod() {
        return getString(AUTH_METHOD_CONFIG).trim().toLowerCase(java.util.Locale.ROOT);
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
        return new WindowPlanner(windowMax(), coverage(), RETENTION_MARGIN, sweepInterval());
    }
}
