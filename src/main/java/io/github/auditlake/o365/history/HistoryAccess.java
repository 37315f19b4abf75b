package io.github.auditlake.o365.history;

import io.github.auditlake.o365.api.Cloud;
import io.github.auditlake.o365.api.TokenProvider;
import io.github.auditlake.o365.client.ClientSettings;
import io.github.auditlake.o365.client.ManagementApis;
import java.util.Optional;
import okhttp3.OkHttpClient;

/**
 * One sign-in, two resources: builds the audit-search client from the same {@link ClientSettings} (same tenant,
 * app and credential, same HTTP client settings) as the Management API client. Its token is for Microsoft Graph
 * ({@code https://graph.microsoft.com/.default}) and is cached apart from the Management API's. Audit search exists
 * in the global service only: {@link #unsupportedCloud(Cloud)} says why another cloud cannot use it.
 */
public final class HistoryAccess {
    /** Graph's resource (token audience) in the global service. */
    public static final String GRAPH_RESOURCE = "https://graph.microsoft.com";

    private HistoryAccess() {}

    /**
     * Why audit search cannot be used in {@code cloud}, or empty when it can: the commercial cloud and GCC (whose
     * tenants use the global Graph service); not GCC High, DoD nor 21Vianet, which Microsoft does not list for the
     * audit search API.
     */
    public static Optional<String> unsupportedCloud(Cloud cloud) {
        if (cloud == Cloud.COMMERCIAL || cloud == Cloud.GCC) {
            return Optional.empty();
        }
        return Optional.of("audit search (Microsoft Graph /security/auditLog/queries) is available in the global"
                + " service only (commercial and GCC); the " + cloud.configName() + " cloud cannot read history"
                + " beyond the Management API's 7 days");
    }

    /** The permission audit search needs (application, Microsoft Graph). */
    public static final String PERMISSION = "AuditLogsQuery.Read.All";

    /**
     * The {@code roles} claim (application permissions) of an access token, read without verifying it (diagnostics
     * only); empty when the token is not a JWT or has none.
     */
    public static java.util.List<String> roles(String token) {
        java.util.List<String> out = new java.util.ArrayList<>();
        String[] parts = token == null ? new String[0] : token.split("\\.");
        if (parts.length < 2) {
            return out;
        }
        try {
            byte[] json = java.util.Base64.getUrlDecoder()
                    .decode(parts[1].replace('+', '-').replace('/', '_').replace("=", ""));
            com.fasterxml.jackson.databind.JsonNode n =
                    new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
            com.fasterxml.jackson.databind.JsonNode r = n == null ? null : n.get("roles");
            if (r != null && r.isArray()) {
                r.forEach(x -> out.add(x.asText()));
            } else if (r != null && r.isTextual()) {
                out.add(r.asText());
            }
        } catch (Exception e) {
            return out;
        }
        return out;
    }

    /**
     * Where Graph calls go: the Graph base URL override ({@code o365.graph.url}) when set; else the API base URL
     * override when one is set (the simulator and reverse proxies serve both APIs at one base, as before
     * {@code o365.graph.url} existed); else the cloud's Graph host.
     */
    public static String graphBaseUrl(ClientSettings s) {
        return s.graphBaseUrlOverride()
                .or(s::apiBaseUrlOverride)
                .orElse(s.cloud().graphBaseUrl());
    }

    /** Graph's token resource for the settings' cloud: the global Graph, or the US government's. */
    public static String graphResource(ClientSettings s) {
        return s.cloud().graphBaseUrl();
    }

    /**
     * The Graph token provider for the settings' credential (managed identity or app registration): tokens for the
     * cloud's Graph ({@link #graphResource}), cached apart from the Management API's.
     */
    public static TokenProvider graphTokens(ClientSettings s, OkHttpClient http) {
        return io.github.auditlake.o365.client.ManagementApis.tokenProvider(
                s, http, graphResource(s), graphResource(s) + "/.default");
    }

    /**
     * The audit-search client for the settings; it owns its HTTP client and token provider.
     *
     * @throws IllegalArgumentException for a cloud without audit search
     */
    public static AuditSearchApi create(ClientSettings s) {
        unsupportedCloud(s.cloud()).ifPresent(why -> {
            throw new IllegalArgumentException(why);
        });
        OkHttpClient http = ManagementApis.httpClient(s);
        return new OkHttpAuditSearchApi(
                http,
                graphTokens(s, http),
                graphBaseUrl(s),
                OkHttpAuditSearchApi.Path.V1,
                s.retryPolicy(),
                s.clock(),
                s.sleeper(),
                s.random(),
                s.userAgent(),
                true);
    }
}
