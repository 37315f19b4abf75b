package io.github.auditlake.o365.enrich;

import java.util.Locale;
import java.util.Optional;

/** The directory object types enrichment resolves, with Graph's names and the permission each needs. */
public enum ObjectKind {
    USER("user", "User.Read.All"),
    SERVICE_PRINCIPAL("servicePrincipal", "Application.Read.All"),
    APPLICATION("application", "Application.Read.All"),
    GROUP("group", "GroupMember.Read.All");

    /** The permission that reads every type. */
    public static final String DIRECTORY_READ_ALL = "Directory.Read.All";

    private final String graphName;
    private final String permission;

    ObjectKind(String graphName, String permission) {
        this.graphName = graphName;
        this.permission = permission;
    }

    /** Graph's name, e.g. {@code servicePrincipal} (also the value of the {@code *.type} header). */
    public String graphName() {
        return graphName;
    }

    /** The least application permission that reads this type (or {@link #DIRECTORY_READ_ALL}). */
    public String permission() {
        return permission;
    }

    /** The kind of a Graph {@code @odata.type} such as {@code #microsoft.graph.user}, or of a plain name. */
    public static Optional<ObjectKind> fromGraph(String odataType) {
        if (odataType == null) {
            return Optional.empty();
        }
        // "#microsoft.graph.user" as Graph writes it; "microsoft.graph.user" and "user" as others may
        String n = odataType.startsWith("#") ? odataType.substring(1) : odataType;
        n = n.regionMatches(true, 0, "microsoft.graph.", 0, 16) ? n.substring(16) : n;
        for (ObjectKind k : values()) {
            if (k.graphName.equalsIgnoreCase(n.toLowerCase(Locale.ROOT))) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
