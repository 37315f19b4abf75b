package io.github.auditlake.o365.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;

/** Generates {@code docs/configuration.md} from the {@link ConfigDef}. Run: {@code main <output path>}. */
public final class ConfigDocs {
    private ConfigDocs() {
    }

    public static String markdown() {
        ConfigDef def = O365SourceConfig.CONFIG_DEF;
        Map<String, List<ConfigDef.ConfigKey>> groups = new LinkedHashMap<>();
        for (String g : def.groups()) {
            groups.put(g, new ArrayList<>());
        }
        for (ConfigDef.ConfigKey k : def.configKeys().values()) {
            groups.computeIfAbsent(k.group, g -> new ArrayList<>()).add(k);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("# Configuration reference\n\n");
        sb.append("Generated from the connector's `ConfigDef` by `ConfigDocs`; do not edit by hand ")
                .append("(`ConfigDocsTest` fails when this file drifts; regenerate with ")
                .append("`./mvnw -q -o test -Dtest=ConfigDocsTest -Dconfigdocs.write=true`).\n\n");
        sb.append("Besides these keys, the standard Connect source keys apply: `tasks.max` (streams are spread over ")
                .append("`min(tasks.max, number of content types)` tasks), `exactly.once.support`, ")
                .append("`transaction.boundary` (`connector` ends transactions at blob boundaries), `topic.creation.*`, ")
                .append("`transforms`, `errors.*`, converters.\n");
        for (Map.Entry<String, List<ConfigDef.ConfigKey>> g : groups.entrySet()) {
            if (g.getValue().isEmpty()) {
                continue;
            }
            g.getValue().sort((a, b) -> Integer.compare(a.orderInGroup, b.orderInGroup));
            sb.append("\n## ").append(g.getKey()).append("\n");
            for (ConfigDef.ConfigKey k : g.getValue()) {
                sb.append("\n### `").append(k.name).append("`\n\n");
                sb.append(k.documentation).append("\n\n");
                sb.append("- Type: ").append(k.type.name().toLowerCase()).append("\n");
                sb.append("- Default: ").append(defaultText(k)).append("\n");
                if (k.validator != null) {
                    sb.append("- Valid values: ").append(k.validator).append("\n");
                }
                sb.append("- Importance: ").append(k.importance.name().toLowerCase()).append("\n");
            }
        }
        return sb.toString();
    }

    private static String defaultText(ConfigDef.ConfigKey k) {
        if (!k.hasDefault()) {
            return "(required)";
        }
        if (k.defaultValue == null) {
            return "null";
        }
        String s = ConfigDef.convertToString(k.defaultValue, k.type);
        return s == null || s.isEmpty() ? "\"\"" : "`" + s + "`";
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/configuration.md");
        Files.writeString(out, markdown(), StandardCharsets.UTF_8);
    }
}
