package io.github.auditlake.o365.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

class ConfigDocsTest {
    static final Path DOC = Path.of(System.getProperty("project.basedir", "."), "docs", "configuration.md");

    @Test
    void committedReferenceMatchesTheConfigDef() throws Exception {
        String generated = ConfigDocs.markdown();
        if (Boolean.getBoolean("configdocs.write")) {
            Files.writeString(DOC, generated, StandardCharsets.UTF_8);
        }
        assertTrue(Files.exists(DOC), "docs/configuration.md is missing; regenerate it");
        assertEquals(
                generated,
                Files.readString(DOC, StandardCharsets.UTF_8),
                "docs/configuration.md drifted from the ConfigDef; regenerate it with "
                        + "./mvnw -q -o test -Dtest=ConfigDocsTest -Dconfigdocs.write=true");
    }

    @Test
    void readmeTableMatchesTheConfigDef() throws Exception {
        Path readme = Path.of(System.getProperty("project.basedir", "."), "README.md");
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        String generated = ConfigDocs.withReadmeTable(text);
        if (Boolean.getBoolean("configdocs.write")) {
            Files.writeString(readme, generated, StandardCharsets.UTF_8);
            text = generated;
        }
        assertEquals(
                generated,
                text,
                "the README's configuration table drifted from the ConfigDef; regenerate it "
                        + "with ./mvnw -q -o test -Dtest=ConfigDocsTest -Dconfigdocs.write=true");
    }

    @Test
    void everyKeyIsDocumentedAndGrouped() {
        for (ConfigDef.ConfigKey k : O365SourceConfig.CONFIG_DEF.configKeys().values()) {
            assertTrue(k.documentation != null && k.documentation.length() > 20, k.name + " lacks documentation");
            assertTrue(k.group != null, k.name + " has no group");
            assertTrue(k.displayName != null, k.name + " has no display name");
        }
    }
}
