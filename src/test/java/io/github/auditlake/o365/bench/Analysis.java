package io.github.auditlake.o365.bench;

import java.util.Map;

/**
 * Hand-written analysis of the full run (what bounds a missed target, what would move it), added to
 * {@code benchmarks.md} under the generated figures. Update it when the figures change materially.
 */
final class Analysis {
    private Analysis() {
    }

    static final Map<String, String> TEXT = Map.of();
}
