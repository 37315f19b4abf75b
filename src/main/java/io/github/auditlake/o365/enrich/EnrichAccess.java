package io.github.auditlake.o365.enrich;

import io.github.auditlake.o365.client.ClientSettings;
import io.github.auditlake.o365.client.ManagementApis;
import io.github.auditlake.o365.history.HistoryAccess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import okhttp3.OkHttpClient;

/**
 * One sign-in, a second resource: builds the directory client from the same {@link ClientSettings} (tenant, app,
 * credential, HTTP settings, allow-list) as the Management API client, with a Graph token of its own cache
 * ({@link HistoryAccess#graphTokens}), sent to {@link HistoryAccess#graphBaseUrl} only.
 */
public final class EnrichAccess {
    /** An id no directory holds, for a permission check that reads nothing. */
    static final String PROBE_ID = "00000000-0000-4000-8000-000000000000";

    private EnrichAccess() {}

    /** The directory client for the settings; it owns its token provider. */
    public static DirectoryApi directory(ClientSettings s) {
        OkHttpClient http = ManagementApis.httpClient(s);
        return new OkHttpDirectoryApi(
                http, HistoryAccess.graphTokens(s, http), HistoryAccess.graphBaseUrl(s), s.userAgent(), true);
    }

    /** An enricher for one task. */
    public static Enricher enricher(ClientSettings s, EnrichSettings e) {
        return new Enricher(e, directory(s), s.clock());
    }

    /**
     * Checks that the app may read {@code kinds} with one lookup of an id nobody has (nothing is read): empty when
     * it may; else what to grant, naming each missing permission, or why the check could not be made.
     */
    public static Optional<String> checkPermission(
            DirectoryApi dir, java.util.Set<ObjectKind> kinds, Duration timeout) {
        try {
            dir.getByIds(List.of(PROBE_ID), kinds, timeout);
            return Optional.empty();
        } catch (DirectoryException e) {
            if (e.reason() != Unenriched.DENIED) {
                return Optional.of("Could not check the Graph permission for enrichment ("
                        + e.reason().label() + ": " + e.getMessage() + ")");
            }
        }
        List<String> missing = new ArrayList<>();
        for (ObjectKind k : kinds) {
            try {
                dir.getByIds(List.of(PROBE_ID), EnumSet.of(k), timeout);
            } catch (DirectoryException e) {
                if (!missing.contains(k.permission())) {
                    missing.add(k.permission());
                }
            }
        }
        return Optional.of("Graph refused the directory lookup: grant the application permission "
                + (missing.isEmpty() ? "" : String.join(", ", missing) + " (or ") + ObjectKind.DIRECTORY_READ_ALL
                + (missing.isEmpty() ? "" : ")") + " of Microsoft Graph, with admin consent, or turn enrichment off");
    }
}
