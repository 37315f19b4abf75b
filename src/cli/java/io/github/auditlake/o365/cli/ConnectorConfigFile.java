package io.github.auditlake.o365.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.auditlake.o365.settings.Setting;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A connector configuration read for its {@code o365.*} settings: JSON as posted to the Connect REST API
 * ({@code {"name": ..., "config": {...}}} or the flat config object) or a {@code .properties} file. Values may be
 * Kafka config-provider placeholders, resolved as a worker would: {@code ${file:PATH:KEY}} (a key of a properties
 * file), {@code ${directory:DIR:FILE}} (a file's content) and {@code ${env:NAME}}.
 */
final class ConnectorConfigFile {
    /** Kafka's own placeholder syntax ({@code ConfigTransformer}): provider, optional path, key. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*?):(([^}]*?):)?([^}]*?)\\}");

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path file;
    private final Map<String, String> raw;
    private final Map<String, String> env;
    private final Map<Path, Properties> propertyFiles = new HashMap<>();

    private ConnectorConfigFile(Path file, Map<String, String> raw, Map<String, String> env) {
        this.file = file;
        this.raw = raw;
        this.env = env;
    }

    /** An empty configuration (no {@code --config}). */
    static ConnectorConfigFile none() {
        return new ConnectorConfigFile(null, Map.of(), Map.of());
    }

    /** Reads {@code file}; placeholders are resolved later, only for the keys asked for. */
    static ConnectorConfigFile read(Path file, Map<String, String> env) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw CliException.usage("--config " + file + ": cannot read it ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
        String trimmed = text.stripLeading();
        Map<String, String> values = new LinkedHashMap<>();
        if (trimmed.startsWith("{")) {
            JsonNode root;
            try {
                root = MAPPER.readTree(text);
            } catch (IOException e) {
                throw CliException.usage("--config " + file + ": not valid JSON (" + firstLine(e.getMessage()) + ")");
            }
            JsonNode config = root.has("config") && root.get("config").isObject() ? root.get("config") : root;
            config.fields().forEachRemaining(en -> {
                JsonNode v = en.getValue();
                if (v != null && !v.isNull() && !v.isContainerNode()) {
                    values.put(en.getKey(), v.asText());
                }
            });
        } else {
            Properties p = new Properties();
            try (Reader r = new StringReader(text)) {
                p.load(r);
            } catch (IOException | IllegalArgumentException e) {
                throw CliException.usage("--config " + file + ": not a valid properties file (" + e.getMessage() + ")");
            }
            for (String name : p.stringPropertyNames()) {
                values.put(name, p.getProperty(name));
            }
        }
        return new ConnectorConfigFile(file, values, env);
    }

    private static final String SOURCE_PREFIX = "o365 config ";

    /** Where the settings came from, for messages. */
    String describe(Setting<?> key) {
        return SOURCE_PREFIX + file + " (" + key + ")";
    }

    /** True when a setting's source (as {@link #describe} names it) is the file given to {@code --config}. */
    static boolean isFileSource(String source) {
        return source != null && source.startsWith(SOURCE_PREFIX);
    }

    /**
     * Reports the file's {@code o365.*} keys that the CLI does not use: a key no version of the connector knows (a
     * typo, a key of another version) as a warning, since the connector would refuse it too; the connector's keys that
     * only concern collection into Kafka (topics, polling, ...) with {@code --verbose} only.
     */
    void reportUnused(java.util.List<Setting<?>> used, CliContext ctx) {
        java.util.Set<String> usedKeys = new java.util.HashSet<>();
        used.forEach(s -> usedKeys.add(s.key()));
        java.util.List<String> unknown = new java.util.ArrayList<>();
        java.util.List<String> connectorOnly = new java.util.ArrayList<>();
        for (String key : raw.keySet()) {
            if (!key.startsWith("o365.") || usedKeys.contains(key)) {
                continue;
            }
            if (io.github.auditlake.o365.settings.Catalogue.byKey(key).isPresent()) {
                connectorOnly.add(key);
            } else {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            ctx.warn("--config " + file + ": unknown key" + (unknown.size() == 1 ? " " : "s ")
                    + String.join(", ", unknown)
                    + ", ignored (not a setting of this connector version; check the spelling)");
        }
        if (!connectorOnly.isEmpty()) {
            ctx.debug(
                    "--config " + file + ": not used by the CLI (connector only): " + String.join(", ", connectorOnly));
        }
    }

    /** The value of {@code key} with placeholders resolved, or {@code null} when absent or blank. */
    String get(Setting<?> setting) {
        String key = setting.key();
        String v = raw.get(key);
        if (v == null) {
            return null;
        }
        String resolved = resolve(key, v);
        return resolved.isBlank() ? null : resolved.trim();
    }

    private String resolve(String key, String value) {
        Matcher m = PLACEHOLDER.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String provider = m.group(1);
            String path = m.group(3);
            String name = m.group(4);
            String replacement = switch (provider) {
                case "env" -> fromEnv(key, name);
                case "file" -> fromPropertiesFile(key, path, name);
                case "directory" -> fromDirectory(key, path, name);
                default ->
                    throw CliException.usage("--config " + file + ": " + key + " uses the config provider '"
                            + provider + "', which the CLI cannot resolve (it resolves file, directory and env); put "
                            + "the value in the environment instead");
            };
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private String fromEnv(String key, String name) {
        String v = env.get(name);
        if (v == null) {
            throw CliException.usage("--config " + file + ": " + key + " refers to ${env:" + name + "}, but the "
                    + "environment variable " + name + " is not set");
        }
        return v;
    }

    private String fromPropertiesFile(String key, String path, String name) {
        if (path == null || path.isBlank()) {
            throw CliException.usage("--config " + file + ": " + key + ": ${file:PATH:KEY} needs a path");
        }
        Path p = Path.of(path);
        Properties props = propertyFiles.computeIfAbsent(p, x -> {
            Properties loaded = new Properties();
            try (Reader r = Files.newBufferedReader(x, StandardCharsets.UTF_8)) {
                loaded.load(r);
            } catch (IOException | IllegalArgumentException e) {
                throw CliException.usage("--config " + file + ": " + key + " refers to " + x + ", which cannot be "
                        + "read (" + e.getClass().getSimpleName() + ")");
            }
            return loaded;
        });
        String v = props.getProperty(name);
        if (v == null) {
            throw CliException.usage("--config " + file + ": " + key + " refers to the key '" + name + "' of " + p
                    + ", which has no such key");
        }
        return v;
    }

    private String fromDirectory(String key, String dir, String name) {
        if (dir == null || dir.isBlank()) {
            throw CliException.usage("--config " + file + ": " + key + ": ${directory:DIR:FILE} needs a directory");
        }
        Path p = Path.of(dir).resolve(name);
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw CliException.usage("--config " + file + ": " + key + " refers to " + p + ", which cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
