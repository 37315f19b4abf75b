package io.github.auditlake.o365;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The plain-Java core knows nothing of Kafka: only the glue (connector, task, config, records) may. */
class ArchitectureTest {
    static final Path MAIN = Path.of(System.getProperty("project.basedir", "."), "src/main/java/io/github/auditlake/o365");

    @ParameterizedTest
    @ValueSource(strings = {"api", "auth", "cursor", "engine", "metrics"})
    void coreDoesNotImportKafka(String pkg) throws IOException {
        Path dir = MAIN.resolve(pkg);
        assertTrue(Files.isDirectory(dir), dir + " exists");
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    if (line.startsWith("import org.apache.kafka") || line.startsWith("import static org.apache.kafka")) {
                        offenders.add(MAIN.relativize(f) + ": " + line);
                    }
                }
            }
        }
        assertEquals(List.of(), offenders);
    }
}
