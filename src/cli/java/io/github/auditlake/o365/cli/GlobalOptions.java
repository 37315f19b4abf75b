package io.github.auditlake.o365.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The options every command takes, before or after the subcommand name ({@link ScopeType#INHERIT}). Values given
 * here win over the environment, which wins over {@code --config}; see {@link CliSettings}.
 */
final class GlobalOptions {
    @Option(
            names = "--tenant",
            paramLabel = "TENANT_ID",
            scope = ScopeType.INHERIT,
            order = 100,
            description = "Directory (tenant) GUID. Env: O365_TENANT_ID.")
    String tenant;

    @Option(
            names = "--client-id",
            paramLabel = "CLIENT_ID",
            scope = ScopeType.INHERIT,
            order = 101,
            description = "Application (client) id. Env: O365_CLIENT_ID.")
    String clientId;

    @Option(
            names = "--client-secret",
            paramLabel = "SECRET",
            scope = ScopeType.INHERIT,
            order = 102,
            description = "Client secret. Shows in the process list: prefer O365_CLIENT_SECRET or --config.")
    String clientSecret;

    @Option(
            names = "--certificate",
            paramLabel = "FILE",
            scope = ScopeType.INHERIT,
            order = 103,
            description = "Certificate instead of a secret: PKCS12 (.p12/.pfx) or PEM with the private key. "
                    + "Env: O365_CLIENT_CERTIFICATE_PATH.")
    Path certificate;

    @Option(
            names = "--certificate-password",
            paramLabel = "PASSWORD",
            scope = ScopeType.INHERIT,
            order = 104,
            description = "Certificate password. Shows in the process list: prefer "
                    + "O365_CLIENT_CERTIFICATE_PASSWORD or --config.")
    String certificatePassword;

    @Option(
            names = "--cloud",
            paramLabel = "CLOUD",
            scope = ScopeType.INHERIT,
            order = 105,
            description = "commercial (default), gcc, gcc-high or dod. Env: O365_CLOUD.")
    String cloud;

    @Option(
            names = "--api-url",
            paramLabel = "URL",
            scope = ScopeType.INHERIT,
            order = 106,
            description = "API base URL override (e.g. a simulator), without /api/v1.0. Env: O365_API_URL.")
    String apiUrl;

    @Option(
            names = "--login-url",
            paramLabel = "URL",
            scope = ScopeType.INHERIT,
            order = 107,
            description = "Sign-in base URL override, without the tenant path. Env: O365_LOGIN_URL.")
    String loginUrl;

    @Option(
            names = "--graph-url",
            paramLabel = "URL",
            scope = ScopeType.INHERIT,
            order = 107,
            description = "Microsoft Graph base URL override (audit search, --enrich), without /v1.0; default: the "
                    + "cloud's Graph, or --api-url when that is given. Env: O365_GRAPH_URL.")
    String graphUrl;

    @Option(
            names = "--publisher-id",
            paramLabel = "GUID",
            scope = ScopeType.INHERIT,
            order = 108,
            description = "PublisherIdentifier sent on every call (default: the tenant id).")
    String publisherId;

    @Option(
            names = "--proxy",
            paramLabel = "URL",
            scope = ScopeType.INHERIT,
            order = 109,
            description = "HTTP proxy, e.g. http://proxy.example:3128. Basic authentication: O365_HTTP_PROXY_USER and "
                    + "O365_HTTP_PROXY_PASSWORD, or o365.http.proxy.user/.password in --config (user:password@ in "
                    + "this URL works too, but shows in the process list and shell history).")
    String proxy;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            scope = ScopeType.INHERIT,
            order = 110,
            description = "A connector configuration (JSON as posted to Connect, or .properties) to take the "
                    + "o365.* settings from; $${file:PATH:KEY}, $${directory:DIR:FILE} and $${env:NAME} are resolved.")
    Path config;

    @Option(
            names = "--allow-endpoint",
            paramLabel = "HOST[:PORT]",
            split = ",",
            scope = ScopeType.INHERIT,
            order = 110,
            description = "Lets the file given to --config send requests to this host: its o365.api.url, "
                    + "o365.login.url, o365.managed.identity.endpoint and o365.http.proxy.url must name Microsoft's "
                    + "hosts (or the managed-identity default) unless allowed here or in O365_ENDPOINT_OVERRIDE_HOSTS. "
                    + "Repeatable or comma-separated, host or host:port, as in O365_ENDPOINT_OVERRIDE_HOSTS; * allows "
                    + "any host. Options and environment variables you type need no entry.")
    List<String> allowEndpoints;

    @Option(
            names = "--auth-method",
            paramLabel = "METHOD",
            scope = ScopeType.INHERIT,
            order = 112,
            description = "How to sign in: secret, certificate, workload-identity (a federated token file, no "
                    + "secret) or managed-identity (Azure, no secret); default: the secret or certificate given. Also "
                    + "O365_AUTH_METHOD, or o365.auth.method in --config.")
    String authMethod;

    @Option(
            names = "--client-assertion-file",
            paramLabel = "FILE",
            scope = ScopeType.INHERIT,
            order = 113,
            description = "workload-identity: the federated token file, read again for every token request. Default: "
                    + "AZURE_FEDERATED_TOKEN_FILE, or o365.client.assertion.file in --config.")
    Path clientAssertionFile;

    @Option(
            names = "--managed-identity-client-id",
            paramLabel = "GUID",
            scope = ScopeType.INHERIT,
            order = 114,
            description = "managed-identity: the client id of a user-assigned identity; none: the system-assigned "
                    + "one. Also o365.managed.identity.client.id in --config.")
    String managedIdentityClientId;

    @Option(
            names = "--identity-endpoint",
            paramLabel = "URL",
            scope = ScopeType.INHERIT,
            order = 115,
            description = "managed-identity: another identity endpoint than Azure's instance metadata service. Also "
                    + "o365.managed.identity.endpoint in --config.")
    String identityEndpoint;

    @Option(
            names = "--ca-file",
            paramLabel = "FILE.pem",
            scope = ScopeType.INHERIT,
            order = 118,
            description =
                    "Extra certificate authorities to trust (PEM), e.g. a TLS-inspecting proxy's: added to the "
                            + "Java runtime's, never replacing them. Also o365.tls.ca.pem.path (or o365.tls.ca.pem) in --config.")
    Path caFile;

    @Option(
            names = "--truststore",
            paramLabel = "FILE",
            scope = ScopeType.INHERIT,
            order = 119,
            description = "A trust store (PKCS12 or JKS) with extra certificate authorities. Also "
                    + "o365.tls.truststore.path in --config.")
    Path truststore;

    @Option(
            names = "--truststore-password",
            paramLabel = "PASSWORD",
            scope = ScopeType.INHERIT,
            order = 120,
            description = "The trust store's password, if it has one. Shows in the process list: prefer "
                    + "O365_TLS_TRUSTSTORE_PASSWORD or o365.tls.truststore.password in --config.")
    String truststorePassword;

    @Option(
            names = "--truststore-type",
            paramLabel = "TYPE",
            scope = ScopeType.INHERIT,
            order = 121,
            description = "PKCS12 (default) or JKS. Also o365.tls.truststore.type in --config.")
    String truststoreType;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            scope = ScopeType.INHERIT,
            order = 116,
            description = "Give up after this long (30s, 10m, 2h, 1d, or 0 for never), with exit code 3. Default: "
                    + "15m for every command but export, which has none unless given.")
    String timeout;

    @Option(
            names = {"--quiet", "-q"},
            scope = ScopeType.INHERIT,
            order = 117,
            description = "No notices of waits (throttling, outages, retries) and no progress on stderr; errors and "
                    + "warnings are still shown.")
    boolean quiet;

    @Option(
            names = "--verbose",
            scope = ScopeType.INHERIT,
            order = 111,
            description = "Say where each setting came from and what is retried; stack traces on errors.")
    boolean verbose;
}
