package io.github.auditlake.o365.settings;

import io.github.auditlake.o365.api.Cloud;
import io.github.auditlake.o365.auth.CertificateLoader;
import io.github.auditlake.o365.auth.MsalTokenProvider;
import io.github.auditlake.o365.auth.OkHttpMsalHttpClient;
import io.github.auditlake.o365.settings.Setting.Importance;
import io.github.auditlake.o365.settings.Setting.Width;
import java.util.Arrays;
import java.util.List;

/** The {@link Group#CONNECTION} settings: where to collect from and how to sign in. One row per setting; its place here is its order. */
public final class ConnectionSettings {
    private static final Group G = Group.CONNECTION;

    public static final Setting<String> TENANT_ID = Setting.string(G, "o365.tenant.id", "")
            .valid(new Validity.Guid(true))
            .importance(Importance.HIGH)
            .width(Width.MEDIUM)
            .display("Tenant ID")
            .doc("Directory (tenant) ID of the Microsoft 365 tenant to collect from, a GUID "
                    + "(Entra admin center > Overview). The API only accepts the GUID, not a domain name. Set exactly one of "
                    + "this or o365.tenant.ids.");

    public static final Setting<List<String>> TENANT_IDS = Setting.list(G, "o365.tenant.ids", List.of())
            .valid(new Validity.GuidList())
            .importance(Importance.HIGH)
            .width(Width.LONG)
            .display("Tenant IDs")
            .doc("Several tenants, as a comma-separated list of tenant GUIDs, collected with "
                    + "the same app registration (a multi-tenant Entra app consented in each tenant): streams are tenants x "
                    + "content types, spread over the tasks. Each tenant has its own token and its own request budget "
                    + "(o365.requests.per.minute applies per tenant). One tenant's failure (consent revoked, tenant deleted, "
                    + "permission missing) never stops the others: it is logged with the tenant, counted, published on the "
                    + "skips topic and retried with backoff. Set exactly one of this or o365.tenant.id. Adding or removing a "
                    + "tenant keeps every other stream's offsets.");

    public static final Setting<String> CLIENT_ID = Setting.string(G, "o365.client.id", "")
            .importance(Importance.HIGH)
            .width(Width.MEDIUM)
            .display("Client ID")
            .doc("Application (client) ID of the Entra app registration. It needs the "
                    + "application permission ActivityFeed.Read of 'Office 365 Management APIs' with admin consent "
                    + "(and ActivityFeed.ReadDlp for DLP.All). Required, except with o365.auth.method=managed-identity (a "
                    + "managed identity is not an app registration: leave this empty).");

    public static final Setting<String> CLIENT_SECRET = Setting.password(G, "o365.client.secret")
            .importance(Importance.HIGH)
            .width(Width.MEDIUM)
            .display("Client secret")
            .doc("Client secret of the app registration. Set exactly one of this or "
                    + "a certificate (o365.client.certificate.pem or o365.client.certificate.path). Use a config provider "
                    + "(e.g. ${file:/secrets.properties:secret}) to keep it out of the connector config.");

    public static final Setting<String> CLIENT_CERTIFICATE_PATH = Setting.string(
                    G, CertificateLoader.PATH_SETTING, null)
            .importance(Importance.HIGH)
            .width(Width.LONG)
            .display("Client certificate path")
            .doc("Path, on every Connect worker, of the app's certificate with "
                    + "its private key: a PKCS#12 file (.p12/.pfx, password in o365.client.certificate.password) or a PEM "
                    + "file holding the private key (PKCS#8) and the certificate. The file must lie in a directory the worker "
                    + "operator allows (O365_ALLOWED_PATHS or -Do365.allowed.paths on every worker; unset: no file is read), "
                    + "be a regular file and at most 1 MiB. Set at most one of this and o365.client.certificate.pem, and not "
                    + "with o365.client.secret.");

    public static final Setting<String> CLIENT_CERTIFICATE_PEM = Setting.password(G, CertificateLoader.PEM_SETTING)
            .importance(Importance.MEDIUM)
            .width(Width.LONG)
            .display("Client certificate (PEM)")
            .doc("The app's certificate with its private key as PEM text, in the "
                    + "configuration instead of a file: the private key (PKCS#8 'PRIVATE KEY', PKCS#1 'RSA PRIVATE KEY', or "
                    + "'ENCRYPTED PRIVATE KEY' with o365.client.certificate.password) and the certificate. A password field: "
                    + "give it with a config provider (e.g. ${file:/etc/kafka/secrets/o365.properties:certificate.pem}, the "
                    + "provider's file holding the PEM with escaped newlines) so it never shows in the connector config. Needs "
                    + "no allowed directory. Set at most one of this and o365.client.certificate.path, and not with "
                    + "o365.client.secret.");

    public static final Setting<String> CLIENT_CERTIFICATE_PASSWORD = Setting.password(
                    G, "o365.client.certificate.password")
            .importance(Importance.MEDIUM)
            .width(Width.MEDIUM)
            .display("Client certificate password")
            .doc("Password of the PKCS#12 certificate file, or of an "
                    + "encrypted PEM private key (file or o365.client.certificate.pem), if it has one.");

    public static final Setting<String> AUTH_METHOD = Setting.string(
                    G, "o365.auth.method", AuthMethod.AUTO.configName())
            .valid(new Validity.OneOf(AuthMethod.configNames(), true))
            .importance(Importance.MEDIUM)
            .width(Width.MEDIUM)
            .display("Sign-in method")
            .doc("How the app signs in: 'secret' (o365.client.secret), 'certificate' "
                    + "(o365.client.certificate.pem or o365.client.certificate.path), 'workload-identity' (a federated client assertion from a file, no "
                    + "long-lived secret: Entra workload identity federation, for example the Kubernetes projected token that "
                    + "Azure workload identity points to with AZURE_FEDERATED_TOKEN_FILE; the file is read again for every "
                    + "token request, so rotation needs nothing), 'managed-identity' (the Azure managed identity of the "
                    + "resource the workers run on, system-assigned or o365.managed.identity.client.id; no app registration "
                    + "and no credential: grant the identity the ActivityFeed.Read app role; it signs in to its own tenant "
                    + "only), or 'auto' (secret or certificate, whichever is set; never managed identity). validate() checks "
                    + "that the fields match the method.");

    public static final Setting<String> CLIENT_ASSERTION_FILE = Setting.string(
                    G, MsalTokenProvider.ASSERTION_FILE_SETTING, "")
            .importance(Importance.MEDIUM)
            .width(Width.LONG)
            .display("Client assertion file")
            .doc("With o365.auth.method=workload-identity: the file, on every "
                    + "worker, holding the federated client assertion (a JWT whose issuer and subject match a federated "
                    + "credential of the app registration, audience api://AzureADTokenExchange). Empty: the file named by "
                    + "the worker's environment variable AZURE_FEDERATED_TOKEN_FILE. That file is always allowed; any other "
                    + "must lie in a directory the worker operator allows (O365_ALLOWED_PATHS or -Do365.allowed.paths), be a "
                    + "regular file and at most 1 MiB.");

    public static final Setting<String> MANAGED_IDENTITY_CLIENT_ID = Setting.string(
                    G, "o365.managed.identity.client.id", "")
            .valid(new Validity.Guid(true))
            .importance(Importance.MEDIUM)
            .width(Width.MEDIUM)
            .display("Managed identity client ID")
            .doc("With o365.auth.method=managed-identity: the client id "
                    + "of the user-assigned managed identity to sign in as (a GUID; the identity must be attached to the "
                    + "resource every worker runs on). Empty: the resource's system-assigned identity.");

    public static final Setting<String> MANAGED_IDENTITY_ENDPOINT = Setting.string(
                    G, "o365.managed.identity.endpoint", OkHttpMsalHttpClient.IMDS_TOKEN_ENDPOINT)
            .importance(Importance.LOW)
            .width(Width.LONG)
            .display("Managed identity endpoint")
            .doc("With o365.auth.method=managed-identity: the managed-identity "
                    + "token endpoint, by default the Azure Instance Metadata Service (IMDS) of VMs, scale sets and AKS "
                    + "nodes. On App Service and Functions the platform's IDENTITY_ENDPOINT and IDENTITY_HEADER are used "
                    + "instead, whatever this says. Override it only for a simulator or an unusual network: plain http is "
                    + "allowed for loopback and link-local (169.254.x.x) addresses only, and a host other than IMDS's must "
                    + "be on the worker's endpoint allow-list (O365_ENDPOINT_OVERRIDE_HOSTS or "
                    + "-Do365.endpoint.override.hosts), because it issues the access token.");

    public static final Setting<String> CLOUD = Setting.string(G, "o365.cloud", Cloud.COMMERCIAL.configName())
            .valid(new Validity.OneOf(
                    Arrays.stream(Cloud.values()).map(Cloud::configName).toList(), false))
            .importance(Importance.HIGH)
            .width(Width.SHORT)
            .display("Cloud")
            .doc("Microsoft cloud of the tenant: 'commercial' (also GCC tenants that use the "
                    + "commercial endpoint), 'gcc' (manage-gcc.office.com), 'gcc-high' (manage.office365.us, "
                    + "login.microsoftonline.us) or 'dod' (manage.protection.apps.mil, login.microsoftonline.us).");

    public static final Setting<String> API_URL = Setting.string(G, "o365.api.url", "")
            .importance(Importance.LOW)
            .width(Width.LONG)
            .display("API URL override")
            .doc("Overrides the API base URL of the cloud (for example a simulator or a "
                    + "reverse proxy), without the /api/v1.0 path. Plain http is allowed only for loopback addresses. The "
                    + "host must be on the worker's endpoint allow-list (environment variable O365_ENDPOINT_OVERRIDE_HOSTS "
                    + "or JVM system property o365.endpoint.override.hosts, set by the worker operator), because it receives "
                    + "the access token. URLs the service returns on the cloud's API host (contentUri, NextPageUri) are "
                    + "rewritten to this base, so a reverse proxy sees every call.");

    public static final Setting<String> GRAPH_URL = Setting.string(G, "o365.graph.url", "")
            .importance(Importance.LOW)
            .width(Width.LONG)
            .display("Graph URL override")
            .doc("Overrides the Microsoft Graph base URL of the cloud (for example a simulator or a reverse proxy), "
                    + "without the /v1.0 path; used by Graph enrichment (o365.enrich.*) and audit search "
                    + "(o365.history.start). Plain http is allowed only for "
                    + "loopback addresses. The host must be on the worker's endpoint allow-list "
                    + "(O365_ENDPOINT_OVERRIDE_HOSTS or -Do365.endpoint.override.hosts), because it receives the Graph "
                    + "access token. Empty: o365.api.url when that is set (a simulator or proxy serving both APIs; set "
                    + "this too when Graph is elsewhere), else the cloud's Graph host (graph.microsoft.com; "
                    + "graph.microsoft.us for gcc-high; dod-graph.microsoft.us for dod).");

    public static final Setting<String> LOGIN_URL = Setting.string(G, "o365.login.url", "")
            .importance(Importance.LOW)
            .width(Width.LONG)
            .display("Login URL override")
            .doc("Overrides the Entra login base URL of the cloud (for example a simulator "
                    + "or a reverse proxy), without the tenant path. Plain http is allowed only for loopback addresses. The "
                    + "host must be on the worker's endpoint allow-list (O365_ENDPOINT_OVERRIDE_HOSTS or "
                    + "-Do365.endpoint.override.hosts), because it receives the client secret or signed assertion.");

    public static final Setting<String> PUBLISHER_ID = Setting.string(G, "o365.publisher.id", "")
            .valid(new Validity.Guid(true))
            .importance(Importance.MEDIUM)
            .width(Width.MEDIUM)
            .display("Publisher ID")
            .doc("PublisherIdentifier sent on every request: the tenant GUID of whoever "
                    + "runs the collector. It selects the throttling quota; empty means each stream's own tenant id.");

    /** This group's settings, in their order in the group. */
    public static final List<Setting<?>> ALL = List.of(
            TENANT_ID,
            TENANT_IDS,
            CLIENT_ID,
            CLIENT_SECRET,
            CLIENT_CERTIFICATE_PATH,
            CLIENT_CERTIFICATE_PEM,
            CLIENT_CERTIFICATE_PASSWORD,
            AUTH_METHOD,
            CLIENT_ASSERTION_FILE,
            MANAGED_IDENTITY_CLIENT_ID,
            MANAGED_IDENTITY_ENDPOINT,
            CLOUD,
            API_URL,
            GRAPH_URL,
            LOGIN_URL,
            PUBLISHER_ID);

    private ConnectionSettings() {}
}
