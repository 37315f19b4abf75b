package io.github.auditlake.o365.testkit;

import io.github.auditlake.o365.api.AllowedPaths;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Sets this JVM's worker-side allowed directories ({@code -Do365.allowed.paths}) for code that reads them from the
 * environment (the connector's validate(), a task started through {@code DefaultApiFactory()}), and restores the
 * previous value on {@link #close()}.
 */
public final class WorkerAllowedPaths implements AutoCloseable {
    private final String before;

    private WorkerAllowedPaths(String value) {
        before = System.getProperty(AllowedPaths.PROPERTY);
        System.setProperty(AllowedPaths.PROPERTY, value);
    }

    /** Allows reading files in {@code dirs} (absolute directories that exist). */
    public static WorkerAllowedPaths allow(Path... dirs) {
        return new WorkerAllowedPaths(
                Arrays.stream(dirs).map(d -> d.toAbsolutePath().toString()).collect(Collectors.joining(",")));
    }

    @Override
    public void close() {
        if (before == null) {
            System.clearProperty(AllowedPaths.PROPERTY);
        } else {
            System.setProperty(AllowedPaths.PROPERTY, before);
        }
    }
}
