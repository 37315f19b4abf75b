package io.github.auditlake.o365.settings;

import java.util.List;

/**
 * The values a setting accepts, as data: each front end turns it into its own check (the connector into a
 * {@code ConfigDef.Validator}, the CLI into a usage error), so a range or a list of names is written once.
 */
public sealed interface Validity {
    /** Anything of the setting's type. */
    Validity ANY = new Any();

    /** Anything of the setting's type. */
    record Any() implements Validity {}

    /** A number from {@code min} to {@code max}, both included; {@link Long#MAX_VALUE}: no upper bound. */
    record Range(long min, long max) implements Validity {
        public static Range atLeast(long min) {
            return new Range(min, Long.MAX_VALUE);
        }

        public boolean bounded() {
            return max != Long.MAX_VALUE;
        }

        public boolean contains(long v) {
            return v >= min && v <= max;
        }
    }

    /** One of these names (compared ignoring case when {@code ignoreCase}). */
    record OneOf(List<String> names, boolean ignoreCase) implements Validity {}

    /** A list whose every element is one of these names. */
    record SubsetOf(List<String> names) implements Validity {}

    /** A non-empty text. */
    record NonEmpty() implements Validity {}

    /** A tenant or client id GUID; {@code optional}: empty is accepted too. */
    record Guid(boolean optional) implements Validity {}

    /** Empty, or a list of distinct GUIDs. */
    record GuidList() implements Validity {}

    /** A non-empty list of distinct content types. */
    record ContentTypes() implements Validity {}

    /** Empty, or an http URL without credentials. */
    record ProxyUrl() implements Validity {}
}
