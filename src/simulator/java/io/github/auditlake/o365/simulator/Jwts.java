package io.github.auditlake.o365.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Minimal JWT helpers on JDK crypto: HS256 for the simulator's own tokens, RS256/PS256 for client assertions. */
public final class Jwts {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64U = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64U_DEC = Base64.getUrlDecoder();

    private Jwts() {}

    public static String b64u(byte[] bytes) {
        return B64U.encodeToString(bytes);
    }

    /** A decoded, not yet verified, compact JWS. */
    public record Parsed(JsonNode header, JsonNode claims, byte[] signingInput, byte[] signature) {
        public String alg() {
            return header.path("alg").asText("");
        }
    }

    /** Parses a compact JWS; throws IllegalArgumentException when it is not one. */
    public static Parsed parse(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a compact JWS");
        }
        try {
            JsonNode header = JSON.readTree(B64U_DEC.decode(parts[0]));
            JsonNode claims = JSON.readTree(B64U_DEC.decode(parts[1]));
            if (!header.isObject() || !claims.isObject()) {
                throw new IllegalArgumentException("header/claims are not JSON objects");
            }
            byte[] input = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
            return new Parsed(header, claims, input, B64U_DEC.decode(parts[2]));
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed JWT: " + e.getMessage(), e);
        }
    }

    /** Signs {@code claims} with HMAC-SHA256. */
    public static String signHs256(ObjectNode claims, byte[] key) {
        ObjectNode header = JSON.createObjectNode().put("typ", "JWT").put("alg", "HS256");
        String input = encodeSegments(header, claims);
        return input + "." + b64u(hmac(key, input.getBytes(StandardCharsets.US_ASCII)));
    }

    public static boolean verifyHs256(Parsed p, byte[] key) {
        return "HS256".equals(p.alg()) && MessageDigest.isEqual(hmac(key, p.signingInput()), p.signature());
    }

    /**
     * Signs a JWS with an RSA key ({@code RS256} or {@code PS256}); {@code header} gets {@code alg} and {@code typ}
     * added. Used by tests and tools to build client assertions.
     */
    public static String signRsa(String alg, ObjectNode header, ObjectNode claims, PrivateKey key) {
        header.put("alg", alg).put("typ", "JWT");
        String input = encodeSegments(header, claims);
        try {
            Signature s = rsaSignature(alg);
            s.initSign(key);
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + b64u(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static boolean verifyRsa(Parsed p, PublicKey key) {
        try {
            Signature s = rsaSignature(p.alg());
            s.initVerify(key);
            s.update(p.signingInput());
            return s.verify(p.signature());
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** base64url SHA-256 thumbprint ({@code x5t#S256}). */
    public static String x5tS256(X509Certificate cert) {
        return thumbprint(cert, "SHA-256");
    }

    /** base64url SHA-1 thumbprint ({@code x5t}). */
    public static String x5t(X509Certificate cert) {
        return thumbprint(cert, "SHA-1");
    }

    private static String thumbprint(X509Certificate cert, String digest) {
        try {
            return b64u(MessageDigest.getInstance(digest).digest(cert.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String x5cValue(X509Certificate cert) {
        try {
            return Base64.getEncoder().encodeToString(cert.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Signature rsaSignature(String alg) throws GeneralSecurityException {
        switch (alg) {
            case "RS256":
                return Signature.getInstance("SHA256withRSA");
            case "PS256": {
                Signature s = Signature.getInstance("RSASSA-PSS");
                s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
                return s;
            }
            default:
                throw new IllegalArgumentException("unsupported alg " + alg);
        }
    }

    private static String encodeSegments(ObjectNode header, ObjectNode claims) {
        try {
            return b64u(JSON.writeValueAsBytes(header)) + "." + b64u(JSON.writeValueAsBytes(claims));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
