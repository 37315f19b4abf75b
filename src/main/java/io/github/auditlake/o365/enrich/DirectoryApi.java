package io.github.auditlake.o365.enrich;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Graph's directory lookup, as enrichment needs it. */
public interface DirectoryApi extends AutoCloseable {
    /** Most ids one {@code getByIds} call takes. */
    int MAX_IDS = 1000;
    /** Most app ids one {@code $filter=appId in (...)} query takes (Graph's directory allows 15 values). */
    int APP_IDS_PER_QUERY = 15;
    /** Most requests one JSON {@code $batch} carries. */
    int BATCH_REQUESTS = 20;
    /** Most app ids one {@link #servicePrincipalsByAppId} call takes: 20 queries of 15. */
    int MAX_APP_IDS = APP_IDS_PER_QUERY * BATCH_REQUESTS;

    /**
     * {@code POST /directoryObjects/getByIds}: the objects among {@code ids} (at most {@link #MAX_IDS}) of the given
     * types that the directory knows; unknown ids are absent. Answers within {@code timeout} or fails with
     * {@link Unenriched#TIMEOUT}; never retries (the caller decides, within its own bound).
     */
    List<DirectoryObject> getByIds(List<String> ids, Set<ObjectKind> types, Duration timeout) throws DirectoryException;

    /**
     * The service principals of the apps {@code appIds} (at most {@link #MAX_APP_IDS}): one JSON {@code POST /$batch}
     * of {@code GET /servicePrincipals?$filter=appId in (...)} queries, 15 app ids each. Graph answers each query of a
     * batch on its own: the answer says which app ids were found, and which could not be looked up because their
     * query failed (429 with its {@code Retry-After}, 403, ...); the others are unknown to the directory. Fails as a
     * whole (thrown) when the batch itself fails or does not answer within {@code timeout}.
     */
    AppIdAnswer servicePrincipalsByAppId(List<String> appIds, Duration timeout) throws DirectoryException;

    /** The number of queries (batch requests) {@link #servicePrincipalsByAppId} sends for {@code appIds} app ids. */
    static int queriesFor(int appIds) {
        return (appIds + APP_IDS_PER_QUERY - 1) / APP_IDS_PER_QUERY;
    }

    /**
     * One {@link #servicePrincipalsByAppId} answer.
     *
     * @param found  the service principal of each app id found, by app id (lower case)
     * @param failed the app ids whose query failed, with why (a 429's {@code Retry-After} included)
     */
    record AppIdAnswer(Map<String, DirectoryObject> found, Map<String, DirectoryException> failed) {
        public AppIdAnswer {
            found = Map.copyOf(Objects.requireNonNull(found, "found"));
            failed = Map.copyOf(Objects.requireNonNull(failed, "failed"));
        }
    }

    @Override
    void close();
}
