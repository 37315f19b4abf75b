package io.github.auditlake.o365.settings;

/**
 * Settings resolved by a front end (the connector's parsed configuration, the CLI's flags, environment and
 * {@code --config}): the value of each catalogue setting, its default when not given.
 */
public interface Resolved {
    /**
     * The value of {@code s}: a String (also for passwords; null when unset), Integer, Long, Boolean or List of
     * String, as {@link Setting}'s type says.
     */
    <T> T value(Setting<T> s);
}
