package io.github.auditlake.o365.enrich;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A directory object as enrichment reports it: its id, type and the few attributes kept (absent ones are null).
 *
 * @param id                its object id (lower case)
 * @param kind              its type
 * @param userPrincipalName a user's UPN
 * @param displayName       its display name
 * @param department        a user's department
 * @param jobTitle          a user's job title
 * @param appId             a service principal's or application's app id
 */
public record DirectoryObject(
        String id,
        ObjectKind kind,
        String userPrincipalName,
        String displayName,
        String department,
        String jobTitle,
        String appId) {

    /** Bytes a cache entry of this object takes, roughly: the strings (2 bytes a char) and object overhead. */
    static final int OVERHEAD_BYTES = 96;

    public DirectoryObject {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
    }

    /** The attributes by their header suffix ({@code id}, {@code type}, {@code upn}, {@code displayName}, ...). */
    public Map<String, String> attributes() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("type", kind.graphName());
        put(m, "upn", userPrincipalName);
        put(m, "displayName", displayName);
        put(m, "department", department);
        put(m, "jobTitle", jobTitle);
        put(m, "appId", appId);
        return m;
    }

    /** An estimate of the heap this object takes in a cache. */
    long approxBytes() {
        return OVERHEAD_BYTES
                + 2L
                        * (id.length()
                                + len(userPrincipalName)
                                + len(displayName)
                                + len(department)
                                + len(jobTitle)
                                + len(appId));
    }

    private static int len(String s) {
        return s == null ? 0 : s.length();
    }

    private static void put(Map<String, String> m, String k, String v) {
        if (v != null && !v.isEmpty()) {
            m.put(k, v);
        }
    }
}
