package io.github.auditlake.o365.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The roles whose GUIDs enrichment resolves, each read from the record fields named here; its attributes go in
 * headers {@code o365.<name>.*}. Only values that are GUIDs are looked up (a {@code UserKey} is a PUID or SID for
 * some workloads, an {@code Actor[].ID} often a UPN, a {@code TeamGuid} usually a thread id). Every role but
 * {@link #APP} carries a directory object id (resolved with {@code getByIds}); {@link #APP} carries an app id
 * (resolved to the tenant's service principal of that app). {@code MailboxGuid} is not a role: Microsoft Graph v1.0
 * has no lookup by Exchange mailbox GUID (the record's {@code MailboxOwnerUPN} already names the owner).
 */
public enum EnrichField {
    /** Who acted: {@code UserKey} when it is a GUID, else the first GUID among {@code Actor[].ID}. */
    ACTOR("actor") {
        @Override
        String guid(JsonNode record) {
            String key = text(record.get("UserKey"));
            return key != null ? key : firstGuid(record.get("Actor"));
        }
    },
    /** What was acted on: the first GUID among {@code Target[].ID}. */
    TARGET("target") {
        @Override
        String guid(JsonNode record) {
            return firstGuid(record.get("Target"));
        }
    },
    /** The group: {@code AADGroupId}. */
    GROUP("group") {
        @Override
        String guid(JsonNode record) {
            return text(record.get("AADGroupId"));
        }
    },
    /**
     * The application: {@code ApplicationId}, else {@code AppId}; an app id, resolved to the tenant's service
     * principal of that app (its object id is {@code o365.app.id}, the app id {@code o365.app.appId}).
     */
    APP("app") {
        @Override
        String guid(JsonNode record) {
            String a = text(record.get("ApplicationId"));
            return a != null ? a : text(record.get("AppId"));
        }

        @Override
        public boolean byAppId() {
            return true;
        }
    },
    /**
     * The team: {@code TeamGuid} when it is a GUID (a team is a group, looked up as one). The service usually sends a
     * thread id ({@code 19:...@thread.tacv2}) there, which is not a directory object id and is not looked up; such
     * records name the team's group in {@code AADGroupId} ({@link #GROUP}) when they carry it.
     */
    TEAM("team") {
        @Override
        String guid(JsonNode record) {
            return text(record.get("TeamGuid"));
        }
    };

    static final Pattern GUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    /** The all-zero GUID some records carry for "nobody". */
    private static final String NIL = "00000000-0000-0000-0000-000000000000";

    private final String configName;

    EnrichField(String configName) {
        this.configName = configName;
    }

    /** The name in {@code o365.enrich.fields} and in the header prefix {@code o365.<name>.}. */
    public String configName() {
        return configName;
    }

    /** The header prefix, e.g. {@code o365.actor.}. */
    public String headerPrefix() {
        return "o365." + configName + ".";
    }

    /** Whether this role's GUID is an app id (resolved to a service principal), not a directory object id. */
    public boolean byAppId() {
        return false;
    }

    /** This role's GUID in {@code record} (lower case), or null. */
    abstract String guid(JsonNode record);

    public static Optional<EnrichField> fromConfigName(String s) {
        for (EnrichField f : values()) {
            if (f.configName.equalsIgnoreCase(s.trim())) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    static String text(JsonNode n) {
        if (n == null || !n.isTextual()) {
            return null;
        }
        String s = n.asText().trim();
        if (!GUID.matcher(s).matches() || s.equals(NIL)) {
            return null;
        }
        return s.toLowerCase(Locale.ROOT);
    }

    static String firstGuid(JsonNode list) {
        if (list == null || !list.isArray()) {
            return null;
        }
        for (JsonNode e : list) {
            String g = text(e.get("ID"));
            if (g != null) {
                return g;
            }
        }
        return null;
    }
}
