package io.github.auditlake.o365.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/** Reads an access token's claims (the JWT payload) without verifying it: for diagnostics only. */
final class Jwt {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Jwt() {}

    /** The payload of a JWT, or empty when the token is not one. */
    static Optional<JsonNode> payload(String token) {
        if (token == null) {
            return Optional.empty();
        }
        String[] parts = token.split("\\.");
        if (parts.length < 2) {
            return Optional.empty();
        }
        try {
            byte[] json = Base64.getUrlDecoder()
                    .decode(parts[1].replace('+', '-').replace('/', '_').replace("=", ""));
            JsonNode n = MAPPER.readTree(json);
            return n != null && n.isObject() ? Optional.of(n) : Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** The {@code roles} claim (application permissions) as a list. */
    static List<String> roles(JsonNode payload) {
        List<String> out = new ArrayList<>();
        JsonNode r = payload.get("roles");
        if (r != null && r.isArray()) {
            r.forEach(x -> out.add(x.asText()));
        } else if (r != null && r.isTextual()) {
            out.add(r.asText());
        }
        return out;
    }
}
