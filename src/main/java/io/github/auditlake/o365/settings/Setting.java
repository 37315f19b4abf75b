package io.github.auditlake.o365.settings;

import java.util.List;
import java.util.Objects;

/**
 * One setting, described once: its key, type, default, valid values, documentation and how a front end shows it
 * (group, display name, width, importance). Its order in its group is its place in the group's fragment
 * ({@link Catalogue#orderInGroup}). Plain Java: the connector's {@code ConfigDef} and the CLI are both built from it.
 *
 * @param <T> the resolved value's type: String (also for passwords), Integer, Long, Boolean or List of String
 */
public record Setting<T>(
        Group group,
        String key,
        Kind kind,
        T defaultValue,
        Validity validity,
        Importance importance,
        Width width,
        String displayName,
        String doc) {

    /** The value type, as Kafka's {@code ConfigDef.Type} names it. */
    public enum Kind {
        STRING,
        PASSWORD,
        LIST,
        INT,
        LONG,
        BOOLEAN
    }

    /** How much an operator needs to know about the setting. */
    public enum Importance {
        HIGH,
        MEDIUM,
        LOW
    }

    /** How wide a UI shows the value. */
    public enum Width {
        SHORT,
        MEDIUM,
        LONG
    }

    public Setting {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(validity, "validity");
    }

    /** A text setting; {@code defaultValue} null means required by the type (none here) or unset. */
    public static Setting<String> string(Group group, String key, String defaultValue) {
        return new Setting<>(
                group, key, Kind.STRING, defaultValue, Validity.ANY, Importance.LOW, Width.MEDIUM, key, "");
    }

    /** A secret: never shown, logged or echoed; no default. */
    public static Setting<String> password(Group group, String key) {
        return new Setting<>(group, key, Kind.PASSWORD, null, Validity.ANY, Importance.LOW, Width.MEDIUM, key, "");
    }

    public static Setting<List<String>> list(Group group, String key, List<String> defaultValue) {
        return new Setting<>(group, key, Kind.LIST, defaultValue, Validity.ANY, Importance.LOW, Width.LONG, key, "");
    }

    public static Setting<Integer> integer(Group group, String key, int defaultValue) {
        return new Setting<>(group, key, Kind.INT, defaultValue, Validity.ANY, Importance.LOW, Width.SHORT, key, "");
    }

    public static Setting<Long> longValue(Group group, String key, long defaultValue) {
        return new Setting<>(group, key, Kind.LONG, defaultValue, Validity.ANY, Importance.LOW, Width.SHORT, key, "");
    }

    public static Setting<Boolean> bool(Group group, String key, boolean defaultValue) {
        return new Setting<>(
                group, key, Kind.BOOLEAN, defaultValue, Validity.ANY, Importance.LOW, Width.SHORT, key, "");
    }

    public Setting<T> valid(Validity v) {
        return new Setting<>(group, key, kind, defaultValue, v, importance, width, displayName, doc);
    }

    /** Valid between {@code min} and {@code max}, both included. */
    public Setting<T> range(long min, long max) {
        return valid(new Validity.Range(min, max));
    }

    public Setting<T> importance(Importance i) {
        return new Setting<>(group, key, kind, defaultValue, validity, i, width, displayName, doc);
    }

    public Setting<T> width(Width w) {
        return new Setting<>(group, key, kind, defaultValue, validity, importance, w, displayName, doc);
    }

    public Setting<T> display(String name) {
        return new Setting<>(group, key, kind, defaultValue, validity, importance, width, name, doc);
    }

    public Setting<T> doc(String text) {
        return new Setting<>(group, key, kind, defaultValue, validity, importance, width, displayName, text);
    }

    @Override
    public String toString() {
        return key;
    }
}
