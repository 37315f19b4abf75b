package io.github.auditlake.o365.settings;

import io.github.auditlake.o365.enrich.EnrichField;
import io.github.auditlake.o365.enrich.EnrichSettings;
import io.github.auditlake.o365.enrich.ObjectKind;
import io.github.auditlake.o365.settings.Setting.Importance;
import io.github.auditlake.o365.settings.Setting.Width;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Graph enrichment ({@code o365.enrich.*}): off by default; what to resolve and within which bounds. */
public final class EnrichmentSettings {
    private static final Group G = Group.ENRICHMENT;

    public static final Setting<Boolean> ENABLED = Setting.bool(G, "o365.enrich.enabled", false)
            .importance(Importance.MEDIUM)
            .width(Width.SHORT)
            .display("Graph enrichment")
            .doc("Resolves the GUIDs of each record (who acted, what was acted on, the group) with Microsoft Graph "
                    + "(POST /directoryObjects/getByIds, batched and cached) and attaches who they are as headers "
                    + "(o365.actor.upn, o365.actor.displayName, o365.actor.type, ...) and, with o365.value.format=struct, "
                    + "an optional 'enrichment' field. The value otherwise stays byte for byte. Enrichment never delays "
                    + "a blob beyond o365.enrich.timeout.ms nor drops a record: when Graph is slow, throttled or denies "
                    + "the permission, records go on with the header o365.enrich.skipped saying why. Needs the Graph "
                    + "application permission Directory.Read.All, or User.Read.All, Application.Read.All and "
                    + "GroupMember.Read.All for the types in o365.enrich.types.");

    public static final Setting<List<String>> FIELDS = Setting.list(
                    G,
                    "o365.enrich.fields",
                    Arrays.stream(EnrichField.values())
                            .map(EnrichField::configName)
                            .toList())
            .valid(new Validity.SubsetOf(Arrays.stream(EnrichField.values())
                    .map(EnrichField::configName)
                    .toList()))
            .importance(Importance.LOW)
            .width(Width.MEDIUM)
            .display("Enriched fields")
            .doc("Which GUIDs to resolve, each giving headers o365.<name>.*: actor (UserKey when it is a GUID, else "
                    + "the first GUID among Actor[].ID), target (the first GUID among Target[].ID), group "
                    + "(AADGroupId), app (ApplicationId, else AppId: an app id, resolved to the tenant's service "
                    + "principal with a JSON $batch of $filter=appId in (...) queries; needs servicePrincipal in "
                    + "o365.enrich.types), team (TeamGuid when it is a GUID, looked up as a group; the service usually "
                    + "sends a thread id there, which is not looked up). MailboxGuid is not resolved: Microsoft Graph "
                    + "v1.0 has no lookup by mailbox GUID.");

    public static final Setting<List<String>> TYPES = Setting.list(
                    G, "o365.enrich.types", List.of("user", "servicePrincipal", "group"))
            .valid(new Validity.SubsetOf(Arrays.stream(ObjectKind.values())
                    .map(ObjectKind::graphName)
                    .toList()))
            .importance(Importance.LOW)
            .width(Width.MEDIUM)
            .display("Directory object types")
            .doc("The directory object types looked up: user (UPN, display name, department, job title; needs "
                    + "User.Read.All), servicePrincipal and application (display name, app id; Application.Read.All), "
                    + "group (display name; GroupMember.Read.All). Directory.Read.All covers them all.");

    public static final Setting<Long> TIMEOUT_MS = Setting.longValue(
                    G, "o365.enrich.timeout.ms", EnrichSettings.DEFAULT_TIMEOUT.toMillis())
            .range(100, 60_000)
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("Enrichment time bound (ms)")
            .doc("The longest the lookups of one blob may take, all Graph requests (and a sign-in) included; what is "
                    + "not answered by then goes on unenriched (o365.enrich.skipped=timeout).");

    public static final Setting<Integer> REQUESTS_PER_MINUTE = Setting.integer(
                    G, "o365.enrich.requests.per.minute", EnrichSettings.DEFAULT_REQUESTS_PER_MINUTE)
            .range(1, 10_000)
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("Graph requests per minute")
            .doc(
                    "Enrichment's own Graph request budget per task and tenant (apart from the Management API's), never waited "
                            + "for: beyond it, records go on unenriched (o365.enrich.skipped=budget). One request resolves up "
                            + "to 1,000 ids.");

    public static final Setting<Integer> CACHE_MAX_ENTRIES = Setting.integer(
                    G, "o365.enrich.cache.max.entries", EnrichSettings.DEFAULT_CACHE_MAX_ENTRIES)
            .range(1, 10_000_000)
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("Cache entries")
            .doc("Most directory lookups a task caches (found and unknown ids); least recently used leave first.");

    public static final Setting<Long> CACHE_MAX_BYTES = Setting.longValue(
                    G, "o365.enrich.cache.max.bytes", EnrichSettings.DEFAULT_CACHE_MAX_BYTES)
            .range(1024, 4L * 1024 * 1024 * 1024)
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("Cache bytes")
            .doc("Most heap the cache of a task takes, estimated from its strings; least recently used leave first.");

    public static final Setting<Long> CACHE_TTL_MS = Setting.longValue(
                    G, "o365.enrich.cache.ttl.ms", EnrichSettings.DEFAULT_TTL.toMillis())
            .range(1000, 7L * 24 * 3600 * 1000)
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("Cache TTL (ms)")
            .doc("How long a found directory object is used before it is looked up again (a renamed user shows "
                    + "the new name after at most this long).");

    public static final Setting<Long> NEGATIVE_TTL_MS = Setting.longValue(
                    G, "o365.enrich.cache.negative.ttl.ms", EnrichSettings.DEFAULT_NEGATIVE_TTL.toMillis())
            .range(1000, 7L * 24 * 3600 * 1000)
            .importance(Importance.LOW)
            .width(Width.SHORT)
            .display("Negative cache TTL (ms)")
            .doc("How long an id the directory does not know (a PUID-like GUID, a deleted user) is not asked again.");

    /** This group's settings, in their order in the group. */
    public static final List<Setting<?>> ALL = List.of(
            ENABLED,
            FIELDS,
            TYPES,
            TIMEOUT_MS,
            REQUESTS_PER_MINUTE,
            CACHE_MAX_ENTRIES,
            CACHE_MAX_BYTES,
            CACHE_TTL_MS,
            NEGATIVE_TTL_MS);

    private EnrichmentSettings() {}

    /** The core's settings from the front end's values (validated by the catalogue's validators first). */
    public static EnrichSettings toCore(
            List<String> fields,
            List<String> types,
            long timeoutMs,
            int requestsPerMinute,
            int maxEntries,
            long maxBytes,
            long ttlMs,
            long negativeTtlMs) {
        Set<EnrichField> f = EnumSet.noneOf(EnrichField.class);
        fields.forEach(n -> f.add(EnrichField.fromConfigName(n).orElseThrow()));
        Set<ObjectKind> k = EnumSet.noneOf(ObjectKind.class);
        types.forEach(n -> k.add(ObjectKind.fromGraph(n).orElseThrow()));
        return new EnrichSettings(
                f,
                k,
                maxEntries,
                maxBytes,
                java.time.Duration.ofMillis(ttlMs),
                java.time.Duration.ofMillis(negativeTtlMs),
                java.time.Duration.ofMillis(timeoutMs),
                requestsPerMinute,
                EnrichSettings.DEFAULT_DENIED_RECHECK,
                EnrichSettings.DEFAULT_RETRY_AFTER);
    }
}
