package io.github.auditlake.o365.settings;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every setting of the connector and the CLI, once: the fragments of each {@link Group}, in order. Front ends build
 * their own view from it (the connector's {@code ConfigDef}, the CLI's {@code --config} reading); adding a setting is
 * one row in a fragment.
 */
public final class Catalogue {
    /** The fragments, group by group in the order they are shown. */
    public static final Map<Group, List<Setting<?>>> BY_GROUP = byGroup();

    /** Every setting, group by group, each in its order. */
    public static final List<Setting<?>> ALL = all();

    private Catalogue() {}

    private static Map<Group, List<Setting<?>>> byGroup() {
        Map<Group, List<Setting<?>>> m = new LinkedHashMap<>();
        m.put(Group.CONNECTION, ConnectionSettings.ALL);
        m.put(Group.COLLECTION, CollectionSettings.ALL);
        m.put(Group.DESTINATION, DestinationSettings.ALL);
        m.put(Group.HTTP, HttpSettings.ALL);
        m.put(Group.ENRICHMENT, EnrichmentSettings.ALL);
        for (Map.Entry<Group, List<Setting<?>>> e : m.entrySet()) {
            for (Setting<?> s : e.getValue()) {
                if (s.group() != e.getKey()) {
                    throw new IllegalStateException(s.key() + " is listed in " + e.getKey() + " but says " + s.group());
                }
            }
        }
        return Collections.unmodifiableMap(m);
    }

    private static List<Setting<?>> all() {
        List<Setting<?>> out = new ArrayList<>();
        BY_GROUP.values().forEach(out::addAll);
        Map<String, Setting<?>> seen = new LinkedHashMap<>();
        for (Setting<?> s : out) {
            if (seen.put(s.key(), s) != null) {
                throw new IllegalStateException("the key " + s.key() + " is in the catalogue twice");
            }
        }
        return List.copyOf(out);
    }

    /** The setting with this key, if any. */
    public static Optional<Setting<?>> byKey(String key) {
        return ALL.stream().filter(s -> s.key().equals(key)).findFirst();
    }

    /** The setting's position in its group, from 1. */
    public static int orderInGroup(Setting<?> s) {
        int i = BY_GROUP.get(s.group()).indexOf(s);
        if (i < 0) {
            throw new IllegalArgumentException(s.key() + " is not in the catalogue");
        }
        return i + 1;
    }
}
