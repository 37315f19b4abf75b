package io.github.auditlake.o365.config;

import io.github.auditlake.o365.api.ContentType;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** The connector's own validators, for the catalogue's {@code Validity} kinds that Kafka has no validator for. */
final class Validators {
    private Validators() {}

    static ConfigDef.Validator guid() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (value == null
                        || !O365SourceConfig.GUID
                                .matcher(((String) value).trim())
                                .matches()) {
                    throw new ConfigException(
                            name,
                            value,
                            "must be a GUID such as "
                                    + "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d (the API rejects domain names: AF20013)");
                }
            }

            @Override
            public String toString() {
                return "a GUID";
            }
        };
    }

    /** An http URL without user info; the message never echoes the value (it may hold a password). */
    static ConfigDef.Validator proxyUrl() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                String s = value == null ? "" : ((String) value).trim();
                if (s.isEmpty()) {
                    return;
                }
                java.net.URI u;
                try {
                    u = java.net.URI.create(s);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(name + " is not a URL; use the form http://proxy.example:3128");
                }
                if (u.getRawUserInfo() != null) {
                    throw new ConfigException("The proxy URL must not contain credentials (they would be stored and "
                            + "logged in clear, and were never used): remove them from " + name + " and set "
                            + O365SourceConfig.PROXY_USER_CONFIG + " and " + O365SourceConfig.PROXY_PASSWORD_CONFIG
                            + " (a password field) instead");
                }
                if (u.getHost() == null || !"http".equalsIgnoreCase(u.getScheme())) {
                    throw new ConfigException(name + " must be an http URL such as http://proxy.example:3128");
                }
            }

            @Override
            public String toString() {
                return "empty, or an http URL without credentials such as http://proxy.example:3128";
            }
        };
    }

    static ConfigDef.Validator guidList() {
        ConfigDef.Validator g = guid();
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                @SuppressWarnings("unchecked")
                List<String> list = value == null ? List.of() : (List<String>) value;
                java.util.Set<String> seen = new java.util.HashSet<>();
                for (String s : list) {
                    g.ensureValid(name, s);
                    if (!seen.add(s.trim().toLowerCase(java.util.Locale.ROOT))) {
                        throw new ConfigException(name, value, "lists tenant " + s.trim() + " twice");
                    }
                }
            }

            @Override
            public String toString() {
                return "empty, or a comma-separated list of tenant GUIDs";
            }
        };
    }

    static ConfigDef.Validator optionalGuid() {
        ConfigDef.Validator g = guid();
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (value != null && !((String) value).isBlank()) {
                    g.ensureValid(name, value);
                }
            }

            @Override
            public String toString() {
                return "empty, or a GUID";
            }
        };
    }

    static ConfigDef.Validator contentTypes() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                @SuppressWarnings("unchecked")
                List<String> list = (List<String>) value;
                if (list == null || list.isEmpty()) {
                    throw new ConfigException(name, value, "must name at least one content type");
                }
                for (String s : list) {
                    if (ContentType.fromWireName(s).isEmpty()) {
                        throw new ConfigException(
                                name,
                                value,
                                "'" + s + "' is not a content type; use " + Arrays.toString(ContentType.values()));
                    }
                }
                if (list.stream()
                                .map(s -> ContentType.fromWireName(s).get())
                                .distinct()
                                .count()
                        != list.size()) {
                    throw new ConfigException(name, value, "lists a content type twice");
                }
            }

            @Override
            public String toString() {
                return "a non-empty list of " + Arrays.toString(ContentType.values());
            }
        };
    }
}
