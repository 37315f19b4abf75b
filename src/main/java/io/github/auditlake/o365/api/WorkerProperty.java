package io.github.auditlake.o365.api;

import java.util.function.Function;

/** A worker-side list read from a JVM system property or, when that is unset or blank, an environment variable. */
final class WorkerProperty {
    private WorkerProperty() {}

    /** The property's value if set and not blank, else the environment variable's, else "". */
    static String read(
            Function<String, String> properties, Function<String, String> env, String property, String variable) {
        String p = properties.apply(property);
        if (p != null && !p.isBlank()) {
            return p;
        }
        String e = env.apply(variable);
        return e == null ? "" : e;
    }
}
