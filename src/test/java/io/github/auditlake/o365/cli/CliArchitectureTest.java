package io.github.auditlake.o365.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CLI jar holds only the Kafka-free core (api, auth, cursor, engine, metrics, Version) and the cli package: the CLI
 * must not import Kafka or the connector's glue (config, records, the connector and task), whose classes are not in
 * the jar.
 */
class CliArchitectureTest {
    static final Path CLI = Path.of(System.getProperty("project.basedir", "."),
            "src/main/java/io/github/auditlake/o365/cli");

    @Test
    void cliImportsOnlyTheCoreAndItsLibraries() throws IOException {
        assertTrue(Files.isDirectory(CLI), CLI + " exists");
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(CLI)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                List<String> lines = Files.readAllLines(f);
                for (String line : lines) {
                    String l = line.strip();
                    boolean own = l.matches(
                            "import (static )?io\\.github\\.auditlake\\.o365\\.(api|auth|cursor|engine|metrics|cli)\\..*");
                    if (l.startsWith("import ") && !l.startsWith("import java") && !l.startsWith("import picocli.")
                            && !l.startsWith("import com.fasterxml.jackson.") && !l.startsWith("import okhttp3.")
                            && !own && !l.equals("import io.github.auditlake.o365.Version;")) {
                        offenders.add(f.getFileName() + ": " + l);
                    }
                }
                String text = String.join("\n", lines);
                if (text.contains("org.apache.kafka") || text.contains("O365SourceConfig")
                        || text.contains("o365.config.") || text.contains("o365.records.")) {
                    offenders.add(f.getFileName() + ": refers to Kafka or the connector's config/records");
                }
            }
        }
        assertEquals(List.of(), offenders);
    }
}
