package io.github.auditlake.o365.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.auditlake.o365.settings.Catalogue;
import io.github.auditlake.o365.settings.Setting;
import io.github.auditlake.o365.settings.Validity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** The connector's ConfigDef is the catalogue: the same keys, once each, with the same defaults and ranges. */
class CatalogueConfigDefTest {
    private final ConfigDef def = O365SourceConfig.configDef();

    @Test
    void theConfigDefHasExactlyTheCataloguesKeysEachOnceInTheCataloguesOrder() {
        List<String> catalogue = Catalogue.ALL.stream().map(Setting::key).toList();
        List<String> defined = new ArrayList<>(def.configKeys().keySet());
        assertEquals(catalogue, defined);
        Map<String, Integer> count = new HashMap<>();
        catalogue.forEach(k -> count.merge(k, 1, Integer::sum));
        count.forEach((k, n) -> assertEquals(1, n, k + " is in the catalogue " + n + " times"));
    }

    @Test
    void everyKeyHasTheCataloguesTypeDefaultDocGroupOrderWidthDisplayAndImportance() {
        for (Setting<?> s : Catalogue.ALL) {
            ConfigDef.ConfigKey k = def.configKeys().get(s.key());
            assertEquals(s.kind().name(), k.type.name(), s.key());
            assertEquals(s.defaultValue(), k.defaultValue, s.key());
            assertEquals(s.doc(), k.documentation, s.key());
            assertEquals(s.group().title(), k.group, s.key());
            assertEquals(Catalogue.orderInGroup(s), k.orderInGroup, s.key());
            assertEquals(s.width().name(), k.width.name(), s.key());
            assertEquals(s.displayName(), k.displayName, s.key());
            assertEquals(s.importance().name(), k.importance.name(), s.key());
        }
    }

    @Test
    void everyRangeIsTheCataloguesBoundsIncludedAndNoneWider() {
        int ranges = 0;
        for (Setting<?> s : Catalogue.ALL) {
            ConfigDef.ConfigKey k = def.configKeys().get(s.key());
            if (!(s.validity() instanceof Validity.Range r)) {
                continue;
            }
            ranges++;
            assertNotNull(k.validator, s.key());
            k.validator.ensureValid(s.key(), number(s, r.min()));
            assertThrows(
                    ConfigException.class, () -> k.validator.ensureValid(s.key(), number(s, r.min() - 1)), s.key());
            if (r.bounded()) {
                k.validator.ensureValid(s.key(), number(s, r.max()));
                assertThrows(
                        ConfigException.class, () -> k.validator.ensureValid(s.key(), number(s, r.max() + 1)), s.key());
            }
        }
        assertEquals(
                Catalogue.ALL.stream()
                        .filter(s -> s.validity() instanceof Validity.Range)
                        .count(),
                ranges);
    }

    @Test
    void everyListOfNamesIsTheCataloguesAndAnythingElseIsRefused() {
        for (Setting<?> s : Catalogue.ALL) {
            ConfigDef.ConfigKey k = def.configKeys().get(s.key());
            if (s.validity() instanceof Validity.OneOf o) {
                for (String name : o.names()) {
                    k.validator.ensureValid(s.key(), name);
                }
                assertThrows(ConfigException.class, () -> k.validator.ensureValid(s.key(), "no-such-name"), s.key());
            } else if (s.validity() instanceof Validity.SubsetOf l) {
                k.validator.ensureValid(s.key(), l.names());
                assertThrows(
                        ConfigException.class,
                        () -> k.validator.ensureValid(s.key(), List.of("no-such-name")),
                        s.key());
            } else if (s.validity() == Validity.ANY) {
                assertNull(k.validator, s.key() + " has a validator the catalogue does not describe");
            } else {
                assertNotNull(k.validator, s.key());
            }
        }
    }

    @Test
    void everyDefaultIsValid() {
        for (Setting<?> s : Catalogue.ALL) {
            ConfigDef.ConfigKey k = def.configKeys().get(s.key());
            if (k.validator != null && s.defaultValue() != null) {
                k.validator.ensureValid(s.key(), k.defaultValue);
            }
        }
    }

    /** The number as a Long: a range compares any Number, so an int setting's bound plus one is checked too. */
    private static Object number(Setting<?> s, long v) {
        return v;
    }
}
