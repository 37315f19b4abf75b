package io.github.auditlake.o365.config;

import io.github.auditlake.o365.settings.Catalogue;
import io.github.auditlake.o365.settings.Group;
import io.github.auditlake.o365.settings.Setting;
import io.github.auditlake.o365.settings.Validity;
import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;

/**
 * The connector's {@link ConfigDef}, built from the {@link Catalogue}: one {@code define} per setting, group by
 * group, with the catalogue's type, default, validator, documentation, order, width and display name. Nothing about
 * a setting is written here; this only translates.
 */
final class CatalogueConfigDef {
    private CatalogueConfigDef() {}

    /** A new {@link ConfigDef} of every setting of the catalogue. */
    static ConfigDef build() {
        ConfigDef d = new ConfigDef();
        for (Group g : Catalogue.BY_GROUP.keySet()) {
            defineGroup(d, g);
        }
        return d;
    }

    /** Defines the settings of group {@code g}, in their order. */
    static void defineGroup(ConfigDef d, Group g) {
        for (Setting<?> s : Catalogue.BY_GROUP.get(g)) {
            define(d, s);
        }
    }

    private static void define(ConfigDef d, Setting<?> s) {
        d.define(
                s.key(),
                type(s.kind()),
                s.defaultValue(),
                validator(s.validity()),
                Importance.valueOf(s.importance().name()),
                s.doc(),
                s.group().title(),
                Catalogue.orderInGroup(s),
                Width.valueOf(s.width().name()),
                s.displayName());
    }

    static Type type(Setting.Kind k) {
        return switch (k) {
            case STRING -> Type.STRING;
            case PASSWORD -> Type.PASSWORD;
            case LIST -> Type.LIST;
            case INT -> Type.INT;
            case LONG -> Type.LONG;
            case BOOLEAN -> Type.BOOLEAN;
        };
    }

    /** The Kafka validator of a catalogue validity; null for {@link Validity.Any}. */
    static ConfigDef.Validator validator(Validity v) {
        if (v instanceof Validity.Range r) {
            return r.bounded() ? ConfigDef.Range.between(r.min(), r.max()) : ConfigDef.Range.atLeast(r.min());
        }
        if (v instanceof Validity.OneOf o) {
            return o.ignoreCase()
                    ? ConfigDef.CaseInsensitiveValidString.in(array(o.names()))
                    : ConfigDef.ValidString.in(array(o.names()));
        }
        if (v instanceof Validity.SubsetOf l) {
            return ConfigDef.ValidList.in(array(l.names()));
        }
        if (v instanceof Validity.NonEmpty) {
            return new ConfigDef.NonEmptyString();
        }
        if (v instanceof Validity.Guid g) {
            return g.optional() ? Validators.optionalGuid() : Validators.guid();
        }
        if (v instanceof Validity.GuidList) {
            return Validators.guidList();
        }
        if (v instanceof Validity.ContentTypes) {
            return Validators.contentTypes();
        }
        if (v instanceof Validity.ProxyUrl) {
            return Validators.proxyUrl();
        }
        return null;
    }

    private static String[] array(List<String> names) {
        return names.toArray(new String[0]);
    }
}
