package io.github.auditlake.o365.settings;

import java.util.Arrays;
import java.util.List;

/** The record value's form ({@code o365.value.format}); the one place its names are spelled. */
public enum ValueFormat {
    /** The original JSON text, string schema. */
    JSON_STRING("json-string"),
    /** The original JSON as UTF-8 bytes, bytes schema: nothing is decoded and encoded again by converters. */
    JSON_BYTES("json-bytes"),
    /** A Struct of the common schema plus the original text. */
    STRUCT("struct"),
    /** Elastic Common Schema JSON text (string schema), the original record under {@code o365.audit}. */
    ECS("ecs"),
    /** OCSF 1.3.0 JSON text (string schema), the original record in {@code raw_data}. */
    OCSF("ocsf");

    private final String configName;

    ValueFormat(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /** The format named {@code s}, any case. */
    public static ValueFormat fromConfigName(String s) {
        for (ValueFormat f : values()) {
            if (f.configName.equalsIgnoreCase(s.trim())) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown value format " + s);
    }

    public static List<String> configNames() {
        return Arrays.stream(values()).map(ValueFormat::configName).toList();
    }
}
