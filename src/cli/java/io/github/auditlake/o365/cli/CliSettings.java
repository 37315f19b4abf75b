package io.github.auditlake.o365.cli;

import io.github.auditlake.o365.api.Cloud;
import io.github.auditlake.o365.api.EndpointAllowList;
import io.github.auditlake.o365.api.TlsTrust;
import io.github.auditlake.o365.auth.ClientCredential;
import io.github.auditlake.o365.auth.OkHttpMsalHttpClient;
import io.github.auditlake.o365.client.ClientSettings;
import io.github.auditlake.o365.enrich.EnrichSettings;
import io.github.auditlake.o365.settings.AuthMethod;
import io.github.auditlake.o365.settings.ClientMapping;
import io.github.auditlake.o365.settings.ConnectionSettings;
import io.github.auditlake.o365.settings.EnrichmentSettings;
import io.github.auditlake.o365.settings.HttpSettings;
import io.github.auditlake.o365.settings.Setting;
import io.github.auditlake.o365.settings.Validity;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The CLI's settings, resolved once from three layers: options, then the environment, then {@code --config}. Built
 * into {@link ClientSettings} by {@link #toClientSettings}. {@link #describe()} never shows secrets.
 */
final class CliSettings {
    static final String ENV_TENANT = "O365_TENANT_ID";
    static final String ENV_CLIENT_ID = "O365_CLIENT_ID";
    static final String ENV_CLIENT_SECRET = "O365_CLIENT_SECRET";
    static final String ENV_CERTIFICATE_PATH = "O365_CLIENT_CERTIFICATE_PATH";
    static final String ENV_CERTIFICATE_PASSWORD = "O365_CLIENT_CERTIFICATE_PASSWORD";
    static final String ENV_CLOUD = "O365_CLOUD";
    static final String ENV_API_URL = "O365_API_URL";
    static final String ENV_LOGIN_URL = "O365_LOGIN_URL";
    static final String ENV_GRAPH_URL = "O365_GRAPH_URL";
    static final String ENV_AUTH_METHOD = "O365_AUTH_METHOD";
    static final String ENV_FEDERATED_TOKEN_FILE = "AZURE_FEDERATED_TOKEN_FILE";
    static final String ENV_PROXY_USER = "O365_HTTP_PROXY_USER";
    static final String ENV_PROXY_PASSWORD = "O365_HTTP_PROXY_PASSWORD";
    static final String ENV_TRUSTSTORE_PASSWORD = "O365_TLS_TRUSTSTORE_PASSWORD";

    // the settings the CLI reads from --config: the catalogue's, so their keys and defaults are the connector's
    static final Setting<String> KEY_TENANT = ConnectionSettings.TENANT_ID;
    static final Setting<String> KEY_CLIENT_ID = ConnectionSettings.CLIENT_ID;
    static final Setting<String> KEY_CLIENT_SECRET = ConnectionSettings.CLIENT_SECRET;
    static final Setting<String> KEY_CERTIFICATE_PATH = ConnectionSettings.CLIENT_CERTIFICATE_PATH;
    static final Setting<String> KEY_CERTIFICATE_PASSWORD = ConnectionSettings.CLIENT_CERTIFICATE_PASSWORD;
    static final Setting<String> KEY_CLOUD = ConnectionSettings.CLOUD;
    static final Setting<String> KEY_API_URL = ConnectionSettings.API_URL;
    static final Setting<String> KEY_LOGIN_URL = ConnectionSettings.LOGIN_URL;
    static final Setting<String> KEY_GRAPH_URL = ConnectionSettings.GRAPH_URL;
    static final Setting<String> KEY_PUBLISHER_ID = ConnectionSettings.PUBLISHER_ID;
    static final Setting<String> KEY_PROXY_URL = HttpSettings.PROXY_URL;
    static final Setting<String> KEY_PROXY_USER = HttpSettings.PROXY_USER;
    static final Setting<String> KEY_PROXY_PASSWORD = HttpSettings.PROXY_PASSWORD;
    static final Setting<Integer> KEY_REQUESTS_PER_MINUTE = HttpSettings.REQUESTS_PER_MINUTE;
    static final Setting<String> KEY_AUTH_METHOD = ConnectionSettings.AUTH_METHOD;
    static final Setting<String> KEY_ASSERTION_FILE = ConnectionSettings.CLIENT_ASSERTION_FILE;
    static final Setting<String> KEY_MI_CLIENT_ID = ConnectionSettings.MANAGED_IDENTITY_CLIENT_ID;
    static final Setting<String> KEY_MI_ENDPOINT = ConnectionSettings.MANAGED_IDENTITY_ENDPOINT;
    static final Setting<String> KEY_TRUSTSTORE_PATH = HttpSettings.TLS_TRUSTSTORE_PATH;
    static final Setting<String> KEY_TRUSTSTORE_PASSWORD = HttpSettings.TLS_TRUSTSTORE_PASSWORD;
    static final Setting<String> KEY_TRUSTSTORE_TYPE = HttpSettings.TLS_TRUSTSTORE_TYPE;
    static final Setting<String> KEY_CA_PEM_PATH = HttpSettings.TLS_CA_PEM_PATH;
    static final Setting<String> KEY_CA_PEM = HttpSettings.TLS_CA_PEM;

    /** Every setting the CLI reads from {@code --config}. */
    static final List<Setting<?>> FILE_SETTINGS = List.of(
            KEY_TENANT,
            KEY_CLIENT_ID,
            KEY_CLIENT_SECRET,
            KEY_CERTIFICATE_PATH,
            KEY_CERTIFICATE_PASSWORD,
            KEY_CLOUD,
            KEY_API_URL,
            KEY_LOGIN_URL,
            KEY_GRAPH_URL,
            KEY_PUBLISHER_ID,
            KEY_PROXY_URL,
            KEY_PROXY_USER,
            KEY_PROXY_PASSWORD,
            KEY_REQUESTS_PER_MINUTE,
            KEY_AUTH_METHOD,
            KEY_ASSERTION_FILE,
            KEY_MI_CLIENT_ID,
            KEY_MI_ENDPOINT,
            KEY_TRUSTSTORE_PATH,
            KEY_TRUSTSTORE_PASSWORD,
            KEY_TRUSTSTORE_TYPE,
            KEY_CA_PEM_PATH,
            KEY_CA_PEM,
            // --enrich reads these as the connector does (o365.enrich.enabled is the connector's switch; --enrich is
            // the CLI's)
            EnrichmentSettings.FIELDS,
            EnrichmentSettings.TYPES,
            EnrichmentSettings.TIMEOUT_MS,
            EnrichmentSettings.REQUESTS_PER_MINUTE,
            EnrichmentSettings.CACHE_MAX_ENTRIES,
            EnrichmentSettings.CACHE_MAX_BYTES,
            EnrichmentSettings.CACHE_TTL_MS,
            EnrichmentSettings.NEGATIVE_TTL_MS);

    /** The secretless sign-in settings: a federated token file, or a managed identity. */
    record Secretless(AuthMethod method, Value assertionFile, Value identityClientId, Value identityEndpoint) {}

    /** A resolved value and where it came from (for --verbose and messages; never the value of a secret). */
    record Value(String value, String source) {}

    /** A proxy: host, port and optional basic credentials. */
    record Proxy(String host, int port, String user, String password, String source) {}

    private final Value tenant;
    private final Value clientId;
    private final Value clientSecret;
    private final Value certificatePath;
    private final Value certificatePassword;
    private final Cloud cloud;
    private final Value apiUrl;
    private final Value loginUrl;
    private final Value graphUrl;
    private final Value publisherId;
    private final Proxy proxy;
    private final Integer requestsPerMinute;
    private final Secretless secretless;
    private final TlsTrust tlsTrust;
    private final String tlsSource;
    private final EnrichSettings enrich;

    private CliSettings(
            Value tenant,
            Value clientId,
            Value clientSecret,
            Value certificatePath,
            Value certificatePassword,
            Cloud cloud,
            Value apiUrl,
            Value loginUrl,
            Value graphUrl,
            Value publisherId,
            Proxy proxy,
            Integer requestsPerMinute,
            Secretless secretless,
            TlsTrust tlsTrust,
            String tlsSource,
            EnrichSettings enrich) {
        this.graphUrl = graphUrl;
        this.enrich = enrich;
        this.secretless = secretless;
        this.tlsTrust = tlsTrust;
        this.tlsSource = tlsSource;
        this.tenant = tenant;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.certificatePath = certificatePath;
        this.certificatePassword = certificatePassword;
        this.cloud = cloud;
        this.apiUrl = apiUrl;
        this.loginUrl = loginUrl;
        this.publisherId = publisherId;
        this.proxy = proxy;
        this.requestsPerMinute = requestsPerMinute;
    }

    /**
     * Resolves the settings (options > environment > {@code --config}) and registers every secret with
     * {@code ctx} so that it is masked on stderr. Checks only what can be checked without the network; missing
     * tenant, client id or credential is a usage error naming the three ways to give it.
     */
    static CliSettings resolve(GlobalOptions o, CliContext ctx) {
        Map<String, String> env = ctx.env();
        ConnectorConfigFile file =
                o.config == null ? ConnectorConfigFile.none() : ConnectorConfigFile.read(o.config, env);

        Value tenant = pick(o.tenant, "--tenant", env, ENV_TENANT, file, KEY_TENANT);
        Value clientId = pick(o.clientId, "--client-id", env, ENV_CLIENT_ID, file, KEY_CLIENT_ID);

        // the credential comes whole from the first layer that has one (a secret or a certificate)
        Value secret = null;
        Value certPath = null;
        String flagCert = o.certificate == null ? null : o.certificate.toString();
        String envSecret = blankToNull(env.get(ENV_CLIENT_SECRET));
        String envCert = blankToNull(env.get(ENV_CERTIFICATE_PATH));
        String fileSecret = file.get(KEY_CLIENT_SECRET);
        String fileCert = file.get(KEY_CERTIFICATE_PATH);
        if (blankToNull(o.clientSecret) != null || flagCert != null) {
            requireOne(o.clientSecret, flagCert, "--client-secret and --certificate");
            secret = value(o.clientSecret, "--client-secret");
            certPath = value(flagCert, "--certificate");
        } else if (envSecret != null || envCert != null) {
            requireOne(envSecret, envCert, ENV_CLIENT_SECRET + " and " + ENV_CERTIFICATE_PATH);
            secret = value(envSecret, "env " + ENV_CLIENT_SECRET);
            certPath = value(envCert, "env " + ENV_CERTIFICATE_PATH);
        } else if (fileSecret != null || fileCert != null) {
            requireOne(fileSecret, fileCert, KEY_CLIENT_SECRET + " and " + KEY_CERTIFICATE_PATH + " in --config");
            secret = value(fileSecret, file.describe(KEY_CLIENT_SECRET));
            certPath = value(fileCert, file.describe(KEY_CERTIFICATE_PATH));
        }
        Value certPassword = pick(
                o.certificatePassword,
                "--certificate-password",
                env,
                ENV_CERTIFICATE_PASSWORD,
                file,
                KEY_CERTIFICATE_PASSWORD);
        if (secret != null) {
            ctx.secret(secret.value());
        }
        if (certPassword != null) {
            ctx.secret(certPassword.value());
        }

        Value cloudName = pick(o.cloud, "--cloud", env, ENV_CLOUD, file, KEY_CLOUD);
        Cloud cloud = Cloud.fromConfigName(KEY_CLOUD.defaultValue()).orElseThrow();
        if (cloudName != null) {
            cloud = Cloud.fromConfigName(cloudName.value())
                    .orElseThrow(() -> CliException.usage("unknown cloud '"
                            + cloudName.value() + "' (from " + cloudName.source() + "): use one of "
                            + Arrays.stream(Cloud.values())
                                    .map(Cloud::configName)
                                    .collect(Collectors.joining(", "))));
        }
        Value apiUrl = pick(o.apiUrl, "--api-url", env, ENV_API_URL, file, KEY_API_URL);
        Value loginUrl = pick(o.loginUrl, "--login-url", env, ENV_LOGIN_URL, file, KEY_LOGIN_URL);
        Value graphUrl = pick(o.graphUrl, "--graph-url", env, ENV_GRAPH_URL, file, KEY_GRAPH_URL);
        Value publisher = pick(o.publisherId, "--publisher-id", null, null, file, KEY_PUBLISHER_ID);

        Proxy proxy = null;
        Value proxyUrl = pick(o.proxy, "--proxy", null, null, file, KEY_PROXY_URL);
        if (proxyUrl != null) {
            // credentials: the URL's user:password@, else the environment, else the file (with the file's URL only)
            String envUser = blankToNull(env.get(ENV_PROXY_USER));
            String user = envUser;
            String password = envUser == null ? null : env.get(ENV_PROXY_PASSWORD);
            if (envUser == null && !proxyUrl.source().equals("--proxy")) {
                user = file.get(KEY_PROXY_USER);
                password = file.get(KEY_PROXY_PASSWORD);
            }
            ctx.secret(password);
            proxy = parseProxy(proxyUrl, user, password);
            ctx.secret(proxy.password());
            if (proxyUrl.source().equals("--proxy") && hasUserInfo(proxyUrl.value())) {
                ctx.warn("the proxy credentials in --proxy show in the process list and the shell history: give "
                        + "--proxy without user:password@ and set " + ENV_PROXY_USER + " and " + ENV_PROXY_PASSWORD
                        + ", or put " + KEY_PROXY_USER + " and " + KEY_PROXY_PASSWORD + " in the file given to "
                        + "--config");
            }
        }

        Integer rpm = null;
        String rpmText = file.get(KEY_REQUESTS_PER_MINUTE);
        if (rpmText != null) {
            try {
                rpm = Integer.valueOf(rpmText);
            } catch (NumberFormatException e) {
                throw CliException.usage("--config: " + KEY_REQUESTS_PER_MINUTE + " is not a number: " + rpmText);
            }
            if (KEY_REQUESTS_PER_MINUTE.validity() instanceof Validity.Range r && !r.contains(rpm)) {
                throw CliException.usage("--config: " + KEY_REQUESTS_PER_MINUTE + " must be " + r.min() + ".." + r.max()
                        + ", got " + rpm);
            }
        }
        Secretless secretless = secretless(o, env, file, secret != null || certPath != null);
        Trust trust = trust(o, env, file, ctx);
        file.reportUnused(FILE_SETTINGS, ctx);
        if (o.config != null) {
            EndpointAllowList allowed = allowList(o.allowEndpoints, env);
            requireAllowed(o.config, KEY_API_URL, apiUrl, allowed);
            requireAllowed(o.config, KEY_LOGIN_URL, loginUrl, allowed);
            requireAllowed(o.config, KEY_GRAPH_URL, graphUrl, allowed);
            if (secretless != null && secretless.identityEndpoint() != null) {
                requireAllowed(o.config, KEY_MI_ENDPOINT, secretless.identityEndpoint(), allowed);
            }
            if (proxy != null
                    && ConnectorConfigFile.isFileSource(proxy.source())
                    && !allowed.allowsHost(proxy.host(), proxy.port(), "http")) {
                throw refused(o.config, KEY_PROXY_URL, entryHost(proxy.host()) + ":" + proxy.port());
            }
        }
        return new CliSettings(
                tenant,
                clientId,
                secret,
                certPath,
                certPassword,
                cloud,
                apiUrl,
                loginUrl,
                graphUrl,
                publisher,
                proxy,
                rpm,
                secretless,
                trust.trust(),
                trust.source(),
                enrichSettings(file));
    }

    private static EnrichSettings enrichSettings(ConnectorConfigFile file) {
        return EnrichmentSettings.toCore(
                listOf(file, EnrichmentSettings.FIELDS),
                listOf(file, EnrichmentSettings.TYPES),
                longOf(file, EnrichmentSettings.TIMEOUT_MS, CliEnrichment.TIMEOUT.toMillis()),
                (int) longOf(
                        file,
                        EnrichmentSettings.REQUESTS_PER_MINUTE,
                        EnrichmentSettings.REQUESTS_PER_MINUTE.defaultValue()),
                (int) longOf(
                        file,
                        EnrichmentSettings.CACHE_MAX_ENTRIES,
                        EnrichmentSettings.CACHE_MAX_ENTRIES.defaultValue()),
                longOf(file, EnrichmentSettings.CACHE_MAX_BYTES, EnrichmentSettings.CACHE_MAX_BYTES.defaultValue()),
                longOf(file, EnrichmentSettings.CACHE_TTL_MS, EnrichmentSettings.CACHE_TTL_MS.defaultValue()),
                longOf(file, EnrichmentSettings.NEGATIVE_TTL_MS, EnrichmentSettings.NEGATIVE_TTL_MS.defaultValue()));
    }

    /** A number of {@code --config} within the setting's range, or {@code dflt}; a usage error naming the key else. */
    private static long longOf(ConnectorConfigFile file, Setting<? extends Number> key, long dflt) {
        String text = file.get(key);
        if (text == null) {
            return dflt;
        }
        long v;
        try {
            v = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw CliException.usage("--config: " + key + " is not a number: " + text);
        }
        if (key.validity() instanceof Validity.Range r && !r.contains(v)) {
            throw CliException.usage("--config: " + key + " must be " + r.min() + ".." + r.max() + ", got " + v);
        }
        return v;
    }

    /** A comma-separated list of {@code --config} whose every element the setting allows, or its default. */
    private static List<String> listOf(ConnectorConfigFile file, Setting<List<String>> key) {
        String text = file.get(key);
        if (text == null) {
            return key.defaultValue();
        }
        List<String> items = Arrays.stream(text.split(","))
                .map(String::trim)
                .filter(x -> !x.isEmpty())
                .toList();
        if (key.validity() instanceof Validity.SubsetOf allowed) {
            for (String item : items) {
                if (!allowed.names().contains(item)) {
                    throw CliException.usage("--config: " + key + " has '" + item + "'; each element must be one of "
                            + String.join(", ", allowed.names()));
                }
            }
        }
        return items;
    }

    /** The extra trust and where it came from. */
    private record Trust(TlsTrust trust, String source) {}

    /**
     * The extra certificate authorities: the options win as a whole ({@code --ca-file}, {@code --truststore}), else
     * the {@code o365.tls.*} keys of {@code --config}. The trust store password: the option, the environment, the
     * file.
     */
    private static Trust trust(GlobalOptions o, Map<String, String> env, ConnectorConfigFile file, CliContext ctx) {
        if (o.caFile != null || o.truststore != null) {
            String password = blankToNull(o.truststorePassword) != null
                    ? o.truststorePassword
                    : blankToNull(env.get(ENV_TRUSTSTORE_PASSWORD));
            ctx.secret(password);
            return new Trust(
                    new TlsTrust(o.truststore, password, o.truststoreType, o.caFile),
                    o.caFile != null ? "--ca-file" : "--truststore");
        }
        String store = file.get(KEY_TRUSTSTORE_PATH);
        String pemPath = file.get(KEY_CA_PEM_PATH);
        String pem = file.get(KEY_CA_PEM);
        if (store == null && pemPath == null && pem == null) {
            return new Trust(TlsTrust.DEFAULT, null);
        }
        if (pemPath != null && pem != null) {
            throw CliException.usage("--config: set at most one of " + KEY_CA_PEM_PATH + " and " + KEY_CA_PEM);
        }
        String password = blankToNull(o.truststorePassword) != null
                ? o.truststorePassword
                : blankToNull(env.get(ENV_TRUSTSTORE_PASSWORD)) != null
                        ? env.get(ENV_TRUSTSTORE_PASSWORD)
                        : file.get(KEY_TRUSTSTORE_PASSWORD);
        ctx.secret(password);
        String type = blankToNull(o.truststoreType) != null ? o.truststoreType : file.get(KEY_TRUSTSTORE_TYPE);
        return new Trust(
                new TlsTrust(
                        store == null ? null : Path.of(store),
                        password,
                        type,
                        pemPath == null ? null : Path.of(pemPath),
                        pem),
                file.describe(store != null ? KEY_TRUSTSTORE_PATH : pemPath != null ? KEY_CA_PEM_PATH : KEY_CA_PEM));
    }

    /**
     * The method named by {@code --auth-method}, O365_AUTH_METHOD or {@code o365.auth.method}; null for the secret
     * or certificate given (auto). A secretless method with a secret or certificate also given is a usage error.
     */
    private static Secretless secretless(
            GlobalOptions o, Map<String, String> env, ConnectorConfigFile file, boolean credentialGiven) {
        Value m = pick(o.authMethod, "--auth-method", env, ENV_AUTH_METHOD, file, KEY_AUTH_METHOD);
        AuthMethod method = AuthMethod.fromConfigName(m == null ? KEY_AUTH_METHOD.defaultValue() : m.value())
                .orElseThrow(() -> CliException.usage("unknown sign-in method '" + m.value() + "' (from " + m.source()
                        + "): use one of " + String.join(", ", AuthMethod.configNames())));
        if (!method.secretless()) {
            return null;
        }
        if (credentialGiven) {
            throw CliException.usage("sign-in method " + method.configName() + " (from " + m.source() + ") takes no "
                    + "client secret or certificate: remove them, or choose another method");
        }
        if (method == AuthMethod.WORKLOAD_IDENTITY) {
            String flag = o.clientAssertionFile == null ? null : o.clientAssertionFile.toString();
            Value f = pick(flag, "--client-assertion-file", env, ENV_FEDERATED_TOKEN_FILE, file, KEY_ASSERTION_FILE);
            if (f == null) {
                throw CliException.usage("sign-in method workload-identity needs the federated token file: give "
                        + "--client-assertion-file, set " + ENV_FEDERATED_TOKEN_FILE + ", or put " + KEY_ASSERTION_FILE
                        + " in the file given to --config");
            }
            return new Secretless(method, f, null, null);
        }
        Value id = pick(o.managedIdentityClientId, "--managed-identity-client-id", null, null, file, KEY_MI_CLIENT_ID);
        Value endpoint = pick(o.identityEndpoint, "--identity-endpoint", null, null, file, KEY_MI_ENDPOINT);
        return new Secretless(method, null, id, endpoint);
    }

    /**
     * The hosts a {@code --config} file may point the CLI at besides Microsoft's own: {@code --allow-endpoint}
     * entries and the environment's {@value EndpointAllowList#ENV}, matched as the connector matches its worker list.
     */
    static EndpointAllowList allowList(List<String> flagEntries, Map<String, String> env) {
        List<String> entries = new ArrayList<>();
        if (flagEntries != null) {
            for (String e : flagEntries) {
                String t = e.trim();
                if (t.contains("/") || t.contains("@")) {
                    throw CliException.usage("--allow-endpoint takes HOST or HOST:PORT (e.g. proxy.example:3128), "
                            + "not a URL: '" + t + "'");
                }
                if (!t.isEmpty()) {
                    entries.add(t);
                }
            }
        }
        entries.addAll(EndpointAllowList.from(name -> null, env::get).entries());
        return EndpointAllowList.of(String.join(",", entries));
    }

    /**
     * Refuses an endpoint that came from the {@code --config} file unless it is Microsoft's (https), the IMDS
     * default for the managed-identity endpoint, or allowed. Options and environment variables are the operator's
     * own choice and are not checked.
     */
    private static void requireAllowed(Path config, Setting<?> key, Value v, EndpointAllowList allowed) {
        if (v == null || !ConnectorConfigFile.isFileSource(v.source())) {
            return;
        }
        String url = v.value().trim();
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            u = null;
        }
        if (u == null || u.getHost() == null) {
            throw CliException.usage("--config " + config + ": " + key + " is not an absolute URL with a host");
        }
        if (key == KEY_MI_ENDPOINT
                && u.getHost()
                        .equals(URI.create(OkHttpMsalHttpClient.IMDS_TOKEN_ENDPOINT)
                                .getHost())) {
            return; // the Azure Instance Metadata Service, the default
        }
        if (allowed.allows(url)) {
            return;
        }
        String host = entryHost(u.getHost());
        throw refused(config, key, u.getPort() > 0 ? host + ":" + u.getPort() : host);
    }

    private static CliException refused(Path config, Setting<?> key, String hostPort) {
        return CliException.usage("--config " + config + ": " + key + " points at " + hostPort + ", which is not a "
                + "Microsoft host: a configuration file could send your credentials there, so the CLI refuses it. If "
                + "you trust it, add --allow-endpoint " + hostPort + " (or list it in " + EndpointAllowList.ENV
                + "); options such as --api-url need no entry");
    }

    /** A host as an allow-list entry names it (IPv6 in brackets). */
    private static String entryHost(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static boolean hasUserInfo(String proxyUrl) {
        try {
            URI u = new URI(proxyUrl.contains("://") ? proxyUrl : "http://" + proxyUrl);
            return u.getRawUserInfo() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** What signs in, in words (never a secret). */
    String credentialKind() {
        if (secretless != null && secretless.method() == AuthMethod.MANAGED_IDENTITY) {
            return secretless.identityClientId() == null
                    ? "the system-assigned managed identity"
                    : "the user-assigned managed identity "
                            + secretless.identityClientId().value();
        }
        if (secretless != null) {
            return "a federated token file (" + secretless.assertionFile().value() + ")";
        }
        return certificatePath != null ? "certificate" : "client secret";
    }

    boolean usesManagedIdentity() {
        return secretless != null && secretless.method() == AuthMethod.MANAGED_IDENTITY;
    }

    private static void requireOne(String secret, String cert, String what) {
        if (blankToNull(secret) != null && blankToNull(cert) != null) {
            throw CliException.usage("both " + what + " are set: give either a client secret or a certificate");
        }
    }

    private static Value value(String v, String source) {
        String s = blankToNull(v);
        return s == null ? null : new Value(s.trim(), source);
    }

    private static Value pick(
            String flag,
            String flagName,
            Map<String, String> env,
            String envName,
            ConnectorConfigFile file,
            Setting<?> key) {
        if (blankToNull(flag) != null) {
            return new Value(flag.trim(), flagName);
        }
        if (env != null && envName != null && blankToNull(env.get(envName)) != null) {
            return new Value(env.get(envName).trim(), "env " + envName);
        }
        String v = file.get(key);
        return v == null ? null : new Value(v, file.describe(key));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    static Proxy parseProxy(Value url, String fileUser, String filePassword) {
        String text = url.value();
        URI uri;
        try {
            uri = new URI(text.contains("://") ? text : "http://" + text);
        } catch (URISyntaxException e) {
            throw CliException.usage("the proxy (from " + url.source() + ") is not a URL: use http://HOST:PORT");
        }
        String host = uri.getHost();
        if ((!text.contains("://") && (text.contains(":/") || text.contains("//")))
                || (uri.getRawPath() != null
                        && !uri.getRawPath().isEmpty()
                        && !uri.getRawPath().equals("/"))
                || uri.getRawQuery() != null
                || uri.getRawFragment() != null
                || (uri.getPort() != -1 && (uri.getPort() < 1 || uri.getPort() > 65535))) {
            throw CliException.usage("the proxy URL (from " + url.source() + ") is malformed: use http://HOST:PORT "
                    + "(a host and a port 1-65535, nothing after the port)");
        }
        if (host == null || host.isBlank()) {
            throw CliException.usage("the proxy (from " + url.source() + ") has no host: use http://HOST:PORT");
        }
        String scheme = uri.getScheme() == null ? "http" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw CliException.usage("the proxy (from " + url.source() + ") must be an HTTP proxy (http://HOST:PORT)");
        }
        int port = ClientMapping.proxyPort(uri);
        String user = fileUser;
        String password = filePassword;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
            password = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : null;
        }
        return new Proxy(host, port, user, password, url.source());
    }

    /** The tenant id, or a usage error saying how to give it. */
    String tenantId() {
        return required(tenant, "a tenant id", "--tenant", ENV_TENANT, KEY_TENANT);
    }

    String clientId() {
        return required(clientId, "a client id", "--client-id", ENV_CLIENT_ID, KEY_CLIENT_ID);
    }

    private static String required(Value v, String what, String flag, String envName, Setting<?> key) {
        if (v == null) {
            throw CliException.usage("no " + what.substring(what.indexOf(' ') + 1) + ": give " + flag + ", set "
                    + envName + ", or put " + key + " in the file given to --config");
        }
        return v.value();
    }

    Cloud cloud() {
        return cloud;
    }

    /** The API base actually used: the override, or the cloud's. */
    String apiBaseUrl() {
        return apiUrl != null ? stripSlash(apiUrl.value()) : cloud.apiBaseUrl();
    }

    /**
     * Where Graph requests go (audit search, enrichment): the Graph override, else the API override (a simulator
     * serving both), else the cloud's Graph; as the connector resolves it.
     */
    String graphBaseUrl() {
        return graphUrl != null ? stripSlash(graphUrl.value()) : apiUrl != null ? apiBaseUrl() : cloud.graphBaseUrl();
    }

    /**
     * The enrichment settings of {@code --enrich}: the {@code o365.enrich.*} keys of {@code --config} (fields, types,
     * bounds, cache) as the connector reads them, else the connector's defaults; the Graph wait is the CLI's
     * {@link CliEnrichment#TIMEOUT} unless the file sets {@code o365.enrich.timeout.ms}.
     */
    EnrichSettings enrichSettings() {
        return enrich;
    }

    /** Where sign-in requests go: the override, or the cloud's login host. */
    String loginBaseUrl() {
        return loginUrl != null ? stripSlash(loginUrl.value()) : cloud.loginBaseUrl();
    }

    private static String stripSlash(String s) {
        String t = s;
        while (t.endsWith("/")) {
            t = t.substring(0, t.length() - 1);
        }
        return t;
    }

    Proxy proxy() {
        return proxy;
    }

    /** From {@code o365.requests.per.minute} in --config, if given. */
    Integer requestsPerMinute() {
        return requestsPerMinute;
    }

    boolean usesCertificate() {
        return certificatePath != null;
    }

    /** True when the client secret was given on the command line (visible in the process list). */
    boolean secretFromCommandLine() {
        return clientSecret != null && clientSecret.source().startsWith("--");
    }

    /**
     * The client settings for the core. The CLI is the operator's own tool: {@code --api-url} and
     * {@code --login-url} may name any host (no allow-list).
     *
     * @param requestsPerMinute the request budget (e.g. {@code --requests-per-minute})
     */
    ClientSettings toClientSettings(CliContext ctx, int requestsPerMinute) {
        String tenantId = tenantId();
        String client = usesManagedIdentity() ? null : clientId();
        if (clientSecret == null && certificatePath == null && secretless == null) {
            throw CliException.usage("no credential: give --certificate FILE, or set " + ENV_CLIENT_SECRET + " (or "
                    + ENV_CERTIFICATE_PATH + "), or put " + KEY_CLIENT_SECRET + " (or " + KEY_CERTIFICATE_PATH
                    + ") in the file given to --config; --client-secret works too but shows in the process list");
        }
        try {
            ClientSettings.Builder b = ClientSettings.builder()
                    .tenantId(tenantId)
                    .clientId(client)
                    .cloud(cloud)
                    .requestsPerMinute(requestsPerMinute)
                    .clock(ctx.clock())
                    .sleeper(ctx.sleeper())
                    .random(ctx.random())
                    // the operator typed these endpoints: no worker allow-list applies to their own tool
                    .allowList(io.github.auditlake.o365.api.EndpointAllowList.ANY)
                    // files the operator named: any directory (still only regular files, within the size cap)
                    .allowedPaths(io.github.auditlake.o365.api.AllowedPaths.ANY)
                    .burstAtStart(true);
            if (ctx.serviceClock() != null) {
                b.serviceClock(ctx.serviceClock());
            }
            if (usesManagedIdentity()) {
                b.credential(ClientCredential.managedIdentity(
                        secretless.identityClientId() == null
                                ? null
                                : secretless.identityClientId().value()));
                if (secretless.identityEndpoint() != null) {
                    b.identityEndpoint(secretless.identityEndpoint().value());
                }
            } else if (secretless != null) {
                b.credential(ClientCredential.assertionFile(
                        Path.of(secretless.assertionFile().value())));
            } else if (clientSecret != null) {
                b.clientSecret(clientSecret.value());
            } else {
                b.certificate(
                        Path.of(certificatePath.value()),
                        certificatePassword == null ? null : certificatePassword.value());
            }
            if (apiUrl != null) {
                b.apiBaseUrl(apiUrl.value());
            }
            if (loginUrl != null) {
                b.loginBaseUrl(loginUrl.value());
            }
            if (graphUrl != null) {
                b.graphBaseUrl(graphUrl.value());
            }
            if (publisherId != null) {
                b.publisherId(publisherId.value());
            }
            if (!tlsTrust.isDefault()) {
                b.tlsTrust(tlsTrust);
            }
            if (proxy != null) {
                b.proxy(proxy.host(), proxy.port());
                if (proxy.user() != null) {
                    b.proxyCredentials(proxy.user(), proxy.password());
                }
            }
            return b.build();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw CliException.usage(String.valueOf(e.getMessage()));
        }
    }

    /** One line per setting and its source, for --verbose; secrets are shown as {@code ***}. */
    List<String> describe() {
        List<String> lines = new ArrayList<>();
        lines.add("tenant id: " + show(tenant));
        lines.add("client id: " + show(clientId));
        if (secretless != null) {
            lines.add("credential: " + credentialKind());
        } else if (clientSecret != null) {
            lines.add("credential: client secret *** (from " + clientSecret.source() + ")");
        } else if (certificatePath != null) {
            lines.add("credential: certificate " + show(certificatePath) + ", password "
                    + (certificatePassword == null ? "none" : "*** (from " + certificatePassword.source() + ")"));
        } else {
            lines.add("credential: none");
        }
        lines.add("cloud: " + cloud.configName());
        lines.add("API: " + apiBaseUrl() + (apiUrl == null ? " (cloud default)" : " (from " + apiUrl.source() + ")"));
        lines.add("login: " + loginBaseUrl()
                + (loginUrl == null ? " (cloud default)" : " (from " + loginUrl.source() + ")"));
        lines.add("Graph: " + graphBaseUrl()
                + (graphUrl != null
                        ? " (from " + graphUrl.source() + ")"
                        : apiUrl != null ? " (the API override, from " + apiUrl.source() + ")" : " (cloud default)"));
        lines.add("publisher id: " + (publisherId == null ? "the tenant id" : show(publisherId)));
        lines.add("proxy: "
                + (proxy == null
                        ? "none"
                        : proxy.host() + ":" + proxy.port() + (proxy.user() == null ? "" : " as " + proxy.user())
                                + " (from " + proxy.source() + ")"));
        lines.add("extra TLS trust: "
                + (tlsTrust.isDefault() ? "none (the Java runtime's)" : tlsTrust + " (from " + tlsSource + ")"));
        return lines;
    }

    /** True when extra certificate authorities are configured. */
    boolean hasExtraTrust() {
        return !tlsTrust.isDefault();
    }

    private static String show(Value v) {
        return v == null ? "none" : v.value() + " (from " + v.source() + ")";
    }
}
