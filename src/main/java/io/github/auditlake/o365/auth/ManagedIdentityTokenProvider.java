package io.github.auditlake.o365.auth;

import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.ManagedIdentityApplication;
import com.microsoft.aad.msal4j.ManagedIdentityId;
import com.microsoft.aad.msal4j.ManagedIdentityParameters;
import com.microsoft.aad.msal4j.MsalException;
import com.microsoft.aad.msal4j.MsalServiceException;
import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ErrorKind;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sign-in as an Azure managed identity (system- or user-assigned) with MSAL4J's {@link ManagedIdentityApplication}:
 * no app registration and no credential, the platform vouches for the machine. MSAL4J picks the endpoint from the
 * environment (App Service and Functions: {@code IDENTITY_ENDPOINT}; otherwise IMDS); an identity endpoint override
 * replaces the IMDS endpoint (see {@link OkHttpMsalHttpClient#forManagedIdentity}). Tokens are cached here and
 * refreshed {@link CachingTokenProvider#REFRESH_AHEAD} before they expire, by the injected clock; MSAL's own cache is
 * static (shared by the whole JVM), so every refresh asks the endpoint with {@code forceRefresh}. Thread-safe. Never
 * logs a token.
 */
public final class ManagedIdentityTokenProvider extends CachingTokenProvider {
    private static final Logger LOG = LoggerFactory.getLogger(ManagedIdentityTokenProvider.class);
    private static final Pattern ERROR_DESCRIPTION =
            Pattern.compile("\"error_description\"\\s*:\\s*\"([^\"]{0,300})\"");
    private static final Pattern STATUS = Pattern.compile("Status: (\\d{3})");
    private static final Pattern ERROR = Pattern.compile("\"error\"\\s*:\\s*\"([^\"]{0,100})\"");

    private final ManagedIdentityApplication app;
    private final OkHttpMsalHttpClient msalHttp;
    private final ClientCredential.ManagedIdentity identity;
    private final String resource;
    private final String endpoint;

    /**
     * @param tenantId         the tenant the token is for (for messages; a managed identity signs in to its own)
     * @param identity         system-assigned, or a user-assigned client id
     * @param resource         the Management API resource, e.g. {@code https://manage.office.com}
     * @param endpointOverride a validated token endpoint to use in place of IMDS's, or null
     * @param http             the shared OkHttpClient (timeouts, TLS); its proxy, if any, is not used
     * @param clock            for refresh-ahead decisions
     */
    public ManagedIdentityTokenProvider(
            String tenantId,
            ClientCredential.ManagedIdentity identity,
            String resource,
            String endpointOverride,
            OkHttpClient http,
            Clock clock) {
        super(LOG, tenantId, clock);
        this.identity = Objects.requireNonNull(identity, "identity");
        this.resource = Objects.requireNonNull(resource, "resource");
        this.endpoint = endpointOverride != null
                ? endpointOverride
                : System.getenv("IDENTITY_ENDPOINT") != null
                        ? System.getenv("IDENTITY_ENDPOINT")
                        : OkHttpMsalHttpClient.IMDS_TOKEN_ENDPOINT;
        if (endpointOverride != null && System.getenv("IDENTITY_ENDPOINT") != null) {
            LOG.warn(
                    "IDENTITY_ENDPOINT is set on this worker, so MSAL4J uses the platform's managed-identity endpoint;"
                            + " the identity endpoint override {} applies to IMDS only and is not used",
                    endpointOverride);
        }
        ManagedIdentityId id = identity.systemAssigned()
                ? ManagedIdentityId.systemAssigned()
                : ManagedIdentityId.userAssignedClientId(identity.clientId());
        // never through the HTTP proxy: IMDS is link-local and App Service's endpoint is local, so a proxy could not
        // reach them (or would reach its own host's identity)
        this.msalHttp = OkHttpMsalHttpClient.forManagedIdentity(
                http.newBuilder().proxy(java.net.Proxy.NO_PROXY).build(), endpointOverride);
        this.app = ManagedIdentityApplication.builder(id)
                .httpClient(msalHttp)
                .disableInternalRetries()
                .logPii(false)
                .build();
    }

    /** The endpoint the token requests go to (for messages). */
    public String endpoint() {
        return endpoint;
    }

    /**
     * MSAL's managed-identity token cache is static, shared with every other connector in this JVM: the cache that
     * decides is ours, so this always asks the endpoint.
     */
    @Override
    CompletableFuture<IAuthenticationResult> request(boolean refresh) {
        ManagedIdentityParameters params =
                ManagedIdentityParameters.builder(resource).forceRefresh(true).build();
        try {
            return app.acquireTokenForManagedIdentity(params);
        } catch (MsalException e) {
            throw e;
        } catch (Exception e) {
            throw translate(e);
        }
    }

    @Override
    String signedIn() {
        return "as " + identity.describe();
    }

    @Override
    ApiException translate(Throwable t) {
        Throwable cause = unwrap(t);
        if (cause instanceof ApiException ae) {
            return ae;
        }
        String prefix = "Managed identity sign-in as " + identity.describe() + " at " + endpoint + " failed";
        Throwable io = ioCause(cause);
        if (io == null
                && cause instanceof MsalServiceException se
                && "managed_identity_unreachable_network".equals(se.errorCode())) {
            // MSAL4J 1.26 replaces the IOException by its message; the HTTP client kept it
            io = msalHttp.lastIoFailure() != null
                    ? msalHttp.lastIoFailure()
                    : new java.net.ConnectException(se.getMessage());
        }
        if (io != null) {
            return new SignInException(
                    ErrorKind.TRANSIENT,
                    prefix + ": the managed-identity endpoint could not be "
                            + "reached (" + io.getClass().getSimpleName()
                            + (io.getMessage() == null ? "" : " " + io.getMessage())
                            + "); the worker must run on an Azure resource with a managed identity (VM, "
                            + "scale set, AKS node, App Service, Functions), or set the identity endpoint; will retry",
                    io);
        }
        if (cause instanceof MsalServiceException se) {
            String msg = se.getMessage() == null ? "" : se.getMessage();
            // MSAL4J 1.26 leaves statusCode() null for managed-identity failures; its message carries "Status: 400"
            String statusText = first(STATUS, msg);
            int status =
                    se.statusCode() != null ? se.statusCode() : statusText != null ? Integer.parseInt(statusText) : 0;
            String error = first(ERROR, msg);
            String description = first(ERROR_DESCRIPTION, msg);
            String detail = (error == null ? "" : error)
                    + (description == null ? "" : (error == null ? "" : ": ") + description);
            detail = detail.isEmpty() ? "" : " (" + detail + ")";
            if (status == 400 || status == 403) {
                String advice = identity.systemAssigned()
                        ? "turn on the system-assigned identity of the Azure resource the worker runs on, or set "
                                + "o365.managed.identity.client.id to the client id of a user-assigned identity attached to it"
                        : "attach the user-assigned identity " + identity.clientId() + " to the Azure resource the "
                                + "worker runs on, and check o365.managed.identity.client.id (the identity's client id, not "
                                + "its object id)";
                if (error != null && error.contains("resource")) {
                    advice = "the resource " + resource + " was refused: check o365.cloud";
                }
                return new SignInException(
                        ErrorKind.AUTHENTICATION,
                        status,
                        error == null ? "managed_identity" : error,
                        prefix + ": HTTP " + status + detail + "; " + advice,
                        null,
                        null,
                        null);
            }
            if (status >= 500 || status == 429 || status == 408 || status == 404 || status == 410 || status == 0) {
                return new SignInException(
                        ErrorKind.TRANSIENT,
                        status,
                        error,
                        prefix + ": the managed-identity " + "endpoint answered HTTP " + status + detail
                                + "; will retry",
                        null,
                        null,
                        null);
            }
            return new SignInException(
                    ErrorKind.AUTHENTICATION,
                    status,
                    error,
                    prefix + ": HTTP " + status + detail + "; check the managed identity settings",
                    null,
                    null,
                    null);
        }
        return new SignInException(
                ErrorKind.AUTHENTICATION,
                prefix + ": " + cause.getClass().getSimpleName() + "; check the managed identity settings",
                null);
    }

    private static String first(Pattern p, String s) {
        Matcher m = p.matcher(s);
        return m.find() ? m.group(1) : null;
    }
}
