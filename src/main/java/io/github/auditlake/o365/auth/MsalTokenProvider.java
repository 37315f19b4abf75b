package io.github.auditlake.o365.auth;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.IClientCredential;
import com.microsoft.aad.msal4j.MsalClientException;
import com.microsoft.aad.msal4j.MsalServiceException;
import io.github.auditlake.o365.api.AllowedPaths;
import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ErrorKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.time.Clock;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client-credentials sign-in with MSAL4J (secret or certificate). The authority is always the cloud's real login
 * host + {@code /{tenant}/} with instance discovery off; a login base URL override only redirects the HTTP (see
 * {@link OkHttpMsalHttpClient}). Tokens are cached and refreshed {@link CachingTokenProvider#REFRESH_AHEAD} before they expire, by the
 * injected clock. Thread-safe. Never logs a secret, assertion or token.
 */
public final class MsalTokenProvider extends CachingTokenProvider {
    private static final Logger LOG = LoggerFactory.getLogger(MsalTokenProvider.class);

    private final ConfidentialClientApplication app;
    private final String authority;
    /** Where the sign-in is really sent: the authority, or the login override in its place (for messages). */
    private final String signInUrl;

    private final String scope;
    /** What the app signs in with, for messages that say what to check. */
    private final String credentialName;

    /**
     * @param tenantId      directory (tenant) id or domain
     * @param clientId      application (client) id
     * @param credential    secret or certificate
     * @param loginBaseUrl  the real login host for the cloud, e.g. {@code https://login.microsoftonline.com}
     * @param loginOverride a validated base URL to send the HTTP to instead (simulator, reverse proxy), or null
     * @param scope         e.g. {@code https://manage.office.com/.default}
     * @param http          the shared OkHttpClient (proxy, timeouts, TLS)
     * @param clock         for refresh-ahead decisions
     */
    public MsalTokenProvider(
            String tenantId,
            String clientId,
            ClientCredential credential,
            String loginBaseUrl,
            String loginOverride,
            String scope,
            OkHttpClient http,
            Clock clock) {
        this(
                tenantId,
                clientId,
                credential,
                loginBaseUrl,
                loginOverride,
                scope,
                http,
                clock,
                AllowedPaths.fromEnvironment());
    }

    /**
     * As above, reading a certificate or assertion file only where {@code files} allows (the worker's
     * {@link AllowedPaths}; the CLI's {@link AllowedPaths#ANY}).
     */
    public MsalTokenProvider(
            String tenantId,
            String clientId,
            ClientCredential credential,
            String loginBaseUrl,
            String loginOverride,
            String scope,
            OkHttpClient http,
            Clock clock,
            AllowedPaths files) {
        super(LOG, tenantId, clock);
        Objects.requireNonNull(files, "files");
        Objects.requireNonNull(clientId, "clientId");
        this.scope = Objects.requireNonNull(scope, "scope");
        this.authority = authority(loginBaseUrl, tenantId);
        this.signInUrl =
                loginOverride == null || loginOverride.isBlank() ? authority : authority(loginOverride, tenantId);
        IClientCredential msalCredential;
        if (credential instanceof ClientCredential.Secret s) {
            msalCredential = ClientCredentialFactory.createFromSecret(s.value());
            credentialName = "client secret";
        } else if (credential instanceof ClientCredential.Certificate c) {
            CertificateLoader.KeyAndCertificate kc = CertificateLoader.load(c.path(), c.password(), files);
            msalCredential = ClientCredentialFactory.createFromCertificate(kc.privateKey(), kc.certificate());
            credentialName = "certificate";
        } else if (credential instanceof ClientCredential.CertificatePem c) {
            CertificateLoader.KeyAndCertificate kc = CertificateLoader.loadPem(c.pem(), c.password());
            msalCredential = ClientCredentialFactory.createFromCertificate(kc.privateKey(), kc.certificate());
            credentialName = "certificate";
        } else if (credential instanceof ClientCredential.AssertionFile f) {
            // read for every token request: the platform rotates the file (Kubernetes: about hourly)
            msalCredential = ClientCredentialFactory.createFromCallback(() -> readAssertion(f.path(), files));
            credentialName = "federated token file";
        } else {
            throw new IllegalArgumentException("a client secret or a certificate is required");
        }
        try {
            this.app = ConfidentialClientApplication.builder(clientId, msalCredential)
                    .authority(authority)
                    .instanceDiscovery(false)
                    .disableInternalRetries()
                    .logPii(false)
                    .httpClient(new OkHttpMsalHttpClient(http, loginOverride))
                    .build();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("invalid login authority " + authority, e);
        }
    }

    /** The setting naming the assertion file, for messages. */
    public static final String ASSERTION_FILE_SETTING = "o365.client.assertion.file";

    /** Reads the federated assertion, if {@code files} allows the file (at most {@link AllowedPaths#MAX_FILE_BYTES}). */
    static String readAssertion(java.nio.file.Path file, AllowedPaths files) {
        byte[] b;
        try {
            b = files.read(ASSERTION_FILE_SETTING, file.toString());
        } catch (IllegalArgumentException e) {
            throw new ApiException(
                    ErrorKind.AUTHENTICATION,
                    "Cannot read the federated token file: " + e.getMessage() + " (check "
                            + ASSERTION_FILE_SETTING + " or " + ClientCredential.AZURE_FEDERATED_TOKEN_FILE
                            + " on the worker)");
        }
        String a = new String(b, java.nio.charset.StandardCharsets.UTF_8).trim();
        if (a.isEmpty()) {
            throw new ApiException(ErrorKind.AUTHENTICATION, "The federated token file " + file + " is empty");
        }
        return a;
    }

    /** The authority MSAL is given: {@code {login host}/{tenant}/}. */
    public static String authority(String loginBaseUrl, String tenantId) {
        String base = loginBaseUrl.endsWith("/") ? loginBaseUrl.substring(0, loginBaseUrl.length() - 1) : loginBaseUrl;
        return base + "/" + tenantId + "/";
    }

    public String authority() {
        return authority;
    }

    public String scope() {
        return scope;
    }

    @Override
    CompletableFuture<IAuthenticationResult> request(boolean refresh) {
        return app.acquireToken(ClientCredentialParameters.builder(Set.of(scope))
                .skipCache(refresh)
                .build());
    }

    @Override
    String signedIn() {
        return "to " + authority;
    }

    @Override
    ApiException translate(Throwable t) {
        Throwable cause = unwrap(t);
        if (cause instanceof ApiException ae) {
            return ae;
        }
        String prefix = "Sign-in to " + signInUrl + " failed";
        if (cause instanceof MsalServiceException se) {
            int status = se.statusCode() == null ? 0 : se.statusCode();
            String code = se.errorCode() == null ? "" : se.errorCode();
            String msg = se.getMessage() == null ? "" : se.getMessage();
            String aadsts = aadsts(msg);
            String advice = advice(code, aadsts);
            if (advice != null) {
                return new SignInException(
                        ErrorKind.AUTHENTICATION,
                        status,
                        aadsts != null ? aadsts : code,
                        prefix + ": " + advice + " (" + code + (aadsts == null ? "" : ", " + aadsts) + ")",
                        null,
                        null,
                        se);
            }
            if (status >= 500 || status == 429 || status == 408 || status == 0) {
                return new SignInException(
                        ErrorKind.TRANSIENT,
                        status,
                        code,
                        prefix + ": the login endpoint answered " + "HTTP " + status + " (" + code + "); will retry",
                        null,
                        null,
                        null);
            }
            return new SignInException(
                    ErrorKind.AUTHENTICATION,
                    status,
                    aadsts != null ? aadsts : code,
                    prefix + ": HTTP " + status + " " + code + (aadsts == null ? "" : " " + aadsts)
                            + "; check the tenant id, client id, credential and cloud",
                    null,
                    null,
                    null);
        }
        if (cause instanceof MsalClientException ce && !(ce.getCause() instanceof IOException) && !isIo(ce)) {
            return new SignInException(
                    ErrorKind.AUTHENTICATION,
                    prefix + ": " + ce.getClass().getSimpleName() + " " + ce.errorCode()
                            + "; check the client credential settings",
                    null);
        }
        Throwable io = ioCause(cause);
        return new SignInException(
                ErrorKind.TRANSIENT,
                prefix + ": the login endpoint could not be reached ("
                        + (io != null
                                ? io.getClass().getSimpleName() + (io.getMessage() == null ? "" : " " + io.getMessage())
                                : cause.getClass().getSimpleName())
                        + "); will retry",
                io);
    }

    private static boolean isIo(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException || c instanceof UncheckedIOException) {
                return true;
            }
        }
        return false;
    }

    private String advice(String code, String aadsts) {
        if (aadsts != null) {
            switch (aadsts) {
                case "AADSTS7000215":
                    return "invalid client secret: set the client secret to the secret's Value (not its ID)";
                case "AADSTS7000222":
                    return "the client secret has expired: create a new secret and update the client secret";
                case "AADSTS700016":
                    return "application not found in the tenant: check the client id and the tenant id";
                case "AADSTS700027":
                    return "the client assertion was rejected: check the certificate (upload its public part to the "
                            + "app registration) and the certificate path";
                case "AADSTS90002":
                case "AADSTS900023":
                    return "tenant not found: check the tenant id and the cloud";
                case "AADSTS70011":
                    return "invalid scope " + scope + ": check the cloud setting";
                default:
                    break;
            }
        }
        String c = code.toLowerCase(Locale.ROOT);
        if (c.equals("invalid_client") || c.equals("unauthorized_client")) {
            return "the client credentials were rejected: check the client id and the " + credentialName;
        }
        if (c.equals("invalid_tenant")
                || c.equals("invalid_request") && aadsts != null && aadsts.startsWith("AADSTS9000")) {
            return "tenant not found: check the tenant id and the cloud";
        }
        if (c.equals("invalid_scope")) {
            return "invalid scope " + scope + ": check the cloud setting";
        }
        return null;
    }

    private static String aadsts(String message) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("AADSTS\\d+").matcher(message);
        return m.find() ? m.group() : null;
    }
}
