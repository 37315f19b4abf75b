package io.github.auditlake.o365;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.auditlake.o365.cluster.Classpaths;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/** The plugin archive built at {@code package}: Confluent Hub layout, exactly the jars a worker does not provide. */
class PluginArchiveIT {
    static final Set<String> EXPECTED_LIB = Set.of(
            "kafka-connect-o365-audit",
            "msal4j",
            "azure-json",
            "jackson-databind",
            "jackson-core",
            "jackson-annotations",
            "okhttp-jvm",
            "okio-jvm",
            "kotlin-stdlib",
            "annotations");

    static String version() {
        return System.getProperty("project.version", "0.1.0-SNAPSHOT");
    }

    static String baseName() {
        return "auditlake-kafka-connect-o365-audit-" + version();
    }

    static Path archive() {
        return Paths.get(System.getProperty(
                "hub.archive",
                Classpaths.projectDir()
                        .resolve("target/components/" + baseName() + ".zip")
                        .toString()));
    }

    /** "okio-jvm-3.18.1.jar" -> "okio-jvm". */
    static String artifactOf(String jar) {
        return jar.replaceAll("-\\d[^-]*(-SNAPSHOT)?\\.jar$", "");
    }

    @Test
    void zipHasHubLayoutAndOnlyTheJarsTheWorkerLacks() throws Exception {
        Path zip = archive();
        assertTrue(Files.isRegularFile(zip), "archive " + zip);
        try (ZipFile z = new ZipFile(zip.toFile())) {
            List<String> names = z.stream().map(ZipEntry::getName).collect(Collectors.toList());
            String base = baseName() + "/";
            for (String n : names) {
                assertTrue(n.startsWith(base), "entry outside the base directory: " + n);
            }
            Set<String> lib = names.stream()
                    .filter(n -> n.startsWith(base + "lib/") && n.endsWith(".jar"))
                    .map(n -> n.substring((base + "lib/").length()))
                    .collect(Collectors.toCollection(TreeSet::new));
            Set<String> artifacts =
                    lib.stream().map(PluginArchiveIT::artifactOf).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(new TreeSet<>(EXPECTED_LIB), artifacts, "lib/ " + lib);
            for (String jar : lib) {
                assertTrue(
                        jar.startsWith("kafka-connect-o365-audit-") || !jar.matches("(kafka|connect-|slf4j|log4j).*"),
                        "worker-provided jar shipped: " + jar);
            }
            for (String f : List.of(
                    "manifest.json",
                    "doc/README.md",
                    "doc/LICENSE",
                    "doc/docs/configuration.md",
                    "doc/docs/cli.md",
                    "bin/o365-audit",
                    "bin/o365-audit.cmd",
                    "bin/o365-audit-completion.bash",
                    "cli/o365-audit-cli.jar",
                    "etc/connect-distributed.properties",
                    "etc/connect-standalone.properties",
                    "etc/o365-source.properties",
                    "etc/o365-source-secret.json",
                    "etc/o365-source-certificate.json",
                    "etc/o365-source-exactly-once.json",
                    "etc/prometheus/jmx-exporter.yaml",
                    "etc/grafana/o365-audit-dashboard.json",
                    "doc/docs/operations.md")) {
                assertTrue(names.contains(base + f), "missing " + f + " in " + names);
            }
            JsonNode m;
            try (InputStream in = z.getInputStream(z.getEntry(base + "manifest.json"))) {
                m = new ObjectMapper().readTree(in);
            }
            assertEquals("kafka-connect-o365-audit", m.path("name").asText());
            assertEquals(version(), m.path("version").asText());
            assertEquals("auditlake", m.path("owner").path("username").asText());
            assertEquals("[\"source\"]", m.path("component_types").toString());
            assertEquals(
                    "[\"at_least_once\",\"exactly_once\"]",
                    m.path("features").path("delivery_guarantee").toString());
            assertTrue(m.path("features").path("kafka_connect_api").asBoolean());
            assertTrue(m.path("release_date").asText().matches("\\d{4}-\\d{2}-\\d{2}"), "release_date " + m);
            assertEquals(
                    "Apache License 2.0", m.path("license").path(0).path("name").asText());
        }
    }

    /** Markdown links {@code [text](target)} and images, not http(s), mail or in-page anchors. */
    private static final java.util.regex.Pattern LINK = java.util.regex.Pattern.compile("\\]\\(([^)\\s]+)\\)");

    @Test
    void everyRelativeLinkOfTheDocsResolvesInsideTheArchive() throws Exception {
        try (ZipFile z = new ZipFile(archive().toFile())) {
            String base = baseName() + "/";
            Set<String> names = z.stream().map(ZipEntry::getName).collect(Collectors.toCollection(TreeSet::new));
            List<String> broken = new ArrayList<>();
            int checked = 0;
            for (String name : names) {
                if (!name.startsWith(base + "doc/") || !name.endsWith(".md")) {
                    continue;
                }
                String text;
                try (InputStream in = z.getInputStream(z.getEntry(name))) {
                    text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                }
                java.util.regex.Matcher m = LINK.matcher(text);
                while (m.find()) {
                    String link = m.group(1);
                    if (link.matches("(?i)(https?|mailto):.*") || link.startsWith("#")) {
                        continue;
                    }
                    String path = link.contains("#") ? link.substring(0, link.indexOf('#')) : link;
                    String target = java.nio.file.Path.of(name)
                            .resolveSibling(path)
                            .normalize()
                            .toString()
                            .replace('\\', '/');
                    checked++;
                    if (!names.contains(target)) {
                        broken.add(name.substring(base.length()) + " -> " + link);
                    }
                }
            }
            assertTrue(checked > 20, "links checked: " + checked);
            assertEquals(List.of(), broken, "links that do not resolve inside the archive");
        }
    }

    @Test
    void unpackedPluginDirectoryMatchesTheZip() throws Exception {
        Path dir = Classpaths.projectDir().resolve("target/plugin");
        List<String> onDisk = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(Files::isRegularFile)
                    .forEach(p -> onDisk.add(dir.relativize(p).toString().replace('\\', '/')));
        }
        try (ZipFile z = new ZipFile(archive().toFile())) {
            Set<String> inZip = z.stream()
                    .filter(e -> !e.isDirectory())
                    .map(ZipEntry::getName)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(inZip, new TreeSet<>(onDisk));
        }
    }
}
