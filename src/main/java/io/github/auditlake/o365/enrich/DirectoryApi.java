package io.github.auditlake.o365.enrich;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/** Graph's directory lookup, as enrichment needs it. */
public interface DirectoryApi extends AutoCloseable {
    /** Most ids one {@code getByIds} call takes. */
    int MAX_IDS = 1000;

    /**
     * {@code POST /directoryObjects/getByIds}: the objects among {@code ids} (at most {@link #MAX_IDS}) of the given
     * types that the directory knows; unknown ids are absent. Answers within {@code timeout} or fails with
     * {@link Unenriched#TIMEOUT}; never retries (the caller decides, within its own bound).
     */
    List<DirectoryObject> getByIds(List<String> ids, Set<ObjectKind> types, Duration timeout) throws DirectoryException;

    @Override
    void close();
}
