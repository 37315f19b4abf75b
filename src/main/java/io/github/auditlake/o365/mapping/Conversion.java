package io.github.auditlake.o365.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Locale;

/** The conversions of the mapping tables (their last column): a source value to a target value, or null for none. */
enum Conversion {
    /** The value as text (objects and arrays as their JSON); an empty text is no value. */
    TEXT("text", "the value as text; empty is absent"),
    /** {@code CreationTime} as ISO 8601 UTC with {@code Z} ({@code 2024-03-01T08:12:03Z}). */
    TS_ISO("ts_iso", "CreationTime (UTC) as ISO 8601 with Z"),
    /** {@code CreationTime} as epoch milliseconds. */
    TS_MS("ts_ms", "CreationTime (UTC) as epoch milliseconds"),
    /** An IP address without port or brackets; host names and other text are no value. */
    IP("ip", "the IP address, without port or brackets; not an IP: absent"),
    /** ECS {@code event.outcome}: success, failure or unknown. */
    OUTCOME("outcome", "Succeeded/Success/True: success; Failed/False: failure; other: unknown"),
    /** OCSF {@code status_id}: 1 Success, 2 Failure, 99 Other. */
    STATUS_ID("status_id", "Succeeded/Success/True: 1; Failed/False: 2; other: 99"),
    /** OCSF {@code status}: Success, Failure, Other. */
    STATUS("status", "Success, Failure or Other, as status_id"),
    /** OCSF {@code severity_id} from a DLP rule's Severity. */
    SEVERITY_ID("severity_id", "Informational 1, Low 2, Medium 3, High 4, Critical 5; other: absent"),
    /** OCSF user {@code type_id} from the record's UserType. */
    USER_TYPE_ID(
            "user_type_id",
            "UserType 0 Regular/10 Guest: 1 User; 2 Admin/3 DCAdmin: 2 Admin; 4 System: 3 System; other: 99"),
    /** The part of a UPN before {@code @}, or the whole value. */
    USER_NAME("user_name", "a UPN's part before @, else the value"),
    /** The part of a UPN after {@code @}; no value for anything else. */
    DOMAIN("domain", "a UPN's part after @; not a UPN: absent"),
    /** The value when it looks like an e-mail address. */
    EMAIL("email", "the value when it is an e-mail address (one @, no spaces); else absent"),
    /** The value when it is an http(s) URL. */
    URL("url", "the value when it is an http(s) URL; else absent"),
    /** The host of an http(s) URL. */
    URL_DOMAIN("url_domain", "the host of an http(s) URL"),
    /** The path of an http(s) URL. */
    URL_PATH("url_path", "the path of an http(s) URL");

    final String tableName;
    final String doc;

    Conversion(String tableName, String doc) {
        this.tableName = tableName;
        this.doc = doc;
    }

    static Conversion named(String name) {
        for (Conversion c : values()) {
            if (c.tableName.equals(name)) {
                return c;
            }
        }
        throw new IllegalStateException("unknown conversion " + name);
    }

    JsonNode apply(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        String s = v.isValueNode() ? v.asText() : v.toString();
        if (s.isEmpty()) {
            return null;
        }
        return switch (this) {
            case TEXT -> v.isTextual() ? v : TextNode.valueOf(s);
            case TS_ISO -> isoUtc(s);
            case TS_MS -> {
                Long ms = CreationTimes.millis(s);
                yield ms == null ? null : LongNode.valueOf(ms);
            }
            case IP -> text(ip(s));
            case OUTCOME -> TextNode.valueOf(success(s) ? "success" : failure(s) ? "failure" : "unknown");
            case STATUS_ID -> IntNode.valueOf(success(s) ? 1 : failure(s) ? 2 : 99);
            case STATUS -> TextNode.valueOf(success(s) ? "Success" : failure(s) ? "Failure" : "Other");
            case SEVERITY_ID -> severity(s);
            case USER_TYPE_ID -> userType(s);
            case USER_NAME -> {
                int at = s.indexOf('@');
                yield at > 0 && isEmail(s) ? TextNode.valueOf(s.substring(0, at)) : TextNode.valueOf(s);
            }
            case DOMAIN -> isEmail(s) ? TextNode.valueOf(s.substring(s.indexOf('@') + 1)) : null;
            case EMAIL -> isEmail(s) ? TextNode.valueOf(s) : null;
            case URL -> isUrl(s) ? TextNode.valueOf(s) : null;
            case URL_DOMAIN -> isUrl(s) ? TextNode.valueOf(s.substring(hostStart(s), hostEnd(s))) : null;
            case URL_PATH -> {
                if (!isUrl(s)) {
                    yield null;
                }
                int p = hostEnd(s);
                int q = s.indexOf('?', p);
                yield TextNode.valueOf(p == s.length() ? "/" : s.substring(p, q < 0 ? s.length() : q));
            }
        };
    }

    private static TextNode text(String s) {
        return s == null ? null : TextNode.valueOf(s);
    }

    private static TextNode isoUtc(String s) {
        if (s.length() == 19 && CreationTimes.plainUtcMillis(s) != null) {
            return TextNode.valueOf(s + "Z"); // the usual form: no parse and format again
        }
        Long ms = CreationTimes.millis(s);
        return ms == null
                ? null
                : TextNode.valueOf(java.time.Instant.ofEpochMilli(ms).toString());
    }

    static boolean success(String s) {
        return s.equalsIgnoreCase("Succeeded") || s.equalsIgnoreCase("Success") || s.equalsIgnoreCase("True");
    }

    static boolean failure(String s) {
        return s.equalsIgnoreCase("Failed") || s.equalsIgnoreCase("Failure") || s.equalsIgnoreCase("False");
    }

    private static IntNode severity(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "informational", "info" -> IntNode.valueOf(1);
            case "low" -> IntNode.valueOf(2);
            case "medium" -> IntNode.valueOf(3);
            case "high" -> IntNode.valueOf(4);
            case "critical" -> IntNode.valueOf(5);
            default -> null;
        };
    }

    private static IntNode userType(String s) {
        return switch (s.trim()) {
            case "0", "10" -> IntNode.valueOf(1);
            case "2", "3" -> IntNode.valueOf(2);
            case "4" -> IntNode.valueOf(3);
            default -> IntNode.valueOf(99);
        };
    }

    static boolean isEmail(String s) {
        int at = s.indexOf('@');
        return at > 0
                && at == s.lastIndexOf('@')
                && at < s.length() - 1
                && s.indexOf(' ') < 0
                && s.indexOf('\\') < 0
                && s.indexOf('|') < 0;
    }

    private static boolean isUrl(String s) {
        return (s.regionMatches(true, 0, "https://", 0, 8) && s.length() > 8)
                || (s.regionMatches(true, 0, "http://", 0, 7) && s.length() > 7);
    }

    private static int hostStart(String s) {
        return s.indexOf("//") + 2;
    }

    private static int hostEnd(String s) {
        int from = hostStart(s);
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                return i;
            }
        }
        return s.length();
    }

    /**
     * The IP address in a ClientIP-like value ({@code a.b.c.d}, {@code a.b.c.d:port}, {@code [a.b.c.d]:port},
     * {@code ::ffff:a.b.c.d}, {@code [v6]:port}, {@code ::1}), or null for anything else (host names included);
     * checked by hand: {@code InetAddress} would resolve a host name over DNS.
     */
    static String ip(String s) {
        String t = s.trim();
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0) {
                return null;
            }
            t = t.substring(1, close);
        } else {
            int colon = t.indexOf(':');
            if (colon > 0 && colon == t.lastIndexOf(':')) {
                t = t.substring(0, colon); // a.b.c.d:port
            }
        }
        if (t.indexOf(':') >= 0) {
            return isIpv6(t) ? t : null;
        }
        return isIpv4(t) ? t : null;
    }

    private static boolean isIpv4(String t) {
        String[] parts = t.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIpv6(String t) {
        int pct = t.indexOf('%');
        String a = pct >= 0 ? t.substring(0, pct) : t;
        int lastColon = a.lastIndexOf(':');
        String tail = a.substring(lastColon + 1);
        String head = a;
        int groups = 0;
        if (tail.indexOf('.') >= 0) {
            if (!isIpv4(tail)) {
                return false;
            }
            head = a.substring(0, lastColon + 1) + "0:0";
        }
        boolean compressed = head.contains("::");
        if (compressed && head.indexOf("::") != head.lastIndexOf("::")) {
            return false;
        }
        for (String g : head.split(":", -1)) {
            if (g.isEmpty()) {
                continue;
            }
            if (g.length() > 4 || !g.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                return false;
            }
            groups++;
        }
        return compressed ? groups < 8 : groups == 8;
    }
}
