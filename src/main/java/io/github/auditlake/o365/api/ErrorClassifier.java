package io.github.auditlake.o365.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one classification table of Management Activity API failures (reference 3.9 and 6.2). Every failed response
 * and every IO failure goes through {@link #classify} or {@link #ioFailure}.
 */
public final class ErrorClassifier {

    /** What the failing call was; some codes mean different things on different calls. */
    public enum Call {
        START_SUBSCRIPTION,
        STOP_SUBSCRIPTION,
        LIST_SUBSCRIPTIONS,
        LIST_CONTENT,
        LIST_NOTIFICATIONS,
        NEXT_PAGE,
        FETCH_BLOB,
        DLP_SENSITIVE_TYPES
    }

    /** A row of the table: kind plus the actionable text. */
    public record Row(ErrorKind kind, String advice) {}

    /** The error code for "already enabled" on start: success, not an error. */
    public static final String ALREADY_ENABLED = "AF20024";

    private static final String AF10001_ADVICE = "The access token lacks the permission ActivityFeed.Read: grant the "
            + "application the permission ActivityFeed.Read (Application, not Delegated) of 'Office 365 Management "
            + "APIs' and grant admin consent, then restart the connector.";

    /** The table, by service error code. */
    public static final Map<String, Row> TABLE = Map.ofEntries(
            Map.entry("AF10001", new Row(ErrorKind.PERMANENT, AF10001_ADVICE)),
            Map.entry("AF20001", new Row(ErrorKind.PERMANENT, "A required parameter is missing (client bug).")),
            Map.entry("AF20002", new Row(ErrorKind.PERMANENT, "A parameter has an invalid type (client bug).")),
            Map.entry(
                    "AF20003",
                    new Row(
                            ErrorKind.PERMANENT,
                            "The webhook expiration is in the past: configure a later (or no) webhook expiration.")),
            Map.entry(
                    "AF20010",
                    new Row(
                            ErrorKind.PERMANENT,
                            "The tenant id in the URL does not match the token's "
                                    + "tenant: set the tenant id to the directory (tenant) id where the application is registered "
                                    + "and consented.")),
            Map.entry(
                    "AF20011",
                    new Row(
                            ErrorKind.PERMANENT,
                            "The tenant id does not exist or was deleted: check the tenant id setting.")),
            Map.entry(
                    "AF20012",
                    new Row(
                            ErrorKind.PERMANENT,
                            "The tenant is incorrectly configured in the audit "
                                    + "service: check that unified audit logging is enabled for the tenant, or contact Microsoft.")),
            Map.entry(
                    "AF20013",
                    new Row(
                            ErrorKind.PERMANENT,
                            "The tenant id is not a valid GUID: set the tenant id to the directory (tenant) GUID.")),
            Map.entry(
                    "AF20020",
                    new Row(
                            ErrorKind.PERMANENT,
                            "The content type is not valid: use one of "
                                    + "Audit.AzureActiveDirectory, Audit.Exchange, Audit.SharePoint, Audit.General, DLP.All.")),
            Map.entry(
                    "AF20021",
                    new Row(
                            ErrorKind.PERMANENT,
                            "The webhook could not be validated: the address must "
                                    + "be https and must answer the validation POST with HTTP 200.")),
            Map.entry(
                    "AF20022",
                    new Row(
                            ErrorKind.RESUBSCRIBE,
                            "No subscription exists for the content type: start " + "it, then retry.")),
            Map.entry(
                    "AF20023",
                    new Row(ErrorKind.RESUBSCRIBE, "The subscription was disabled: start it again, " + "then retry.")),
            Map.entry(
                    "AF20024",
                    new Row(
                            ErrorKind.PERMANENT,
                            "The subscription is already enabled (success when " + "starting a subscription).")),
            Map.entry(
                    "AF20030",
                    new Row(
                            ErrorKind.WINDOW,
                            "The time window was rejected (both or neither, <= 24 h, "
                                    + "start not before now - 7 d, start before end): recompute it, correcting clock skew with the "
                                    + "server's Date header.")),
            Map.entry("AF20031", new Row(ErrorKind.TRANSIENT, "The service rejected its own nextPage value; retry.")),
            Map.entry("AF20050", new Row(ErrorKind.SKIP_BLOB, "The content blob does not exist; skip it.")),
            Map.entry("AF20051", new Row(ErrorKind.SKIP_BLOB, "The content blob has expired; skip it.")),
            Map.entry("AF20052", new Row(ErrorKind.SKIP_BLOB, "The content id is invalid; skip the blob.")),
            Map.entry("AF20053", new Row(ErrorKind.PERMANENT, "Only one language may be given in Accept-Language.")),
            Map.entry("AF20054", new Row(ErrorKind.PERMANENT, "The Accept-Language value is not valid.")),
            Map.entry(
                    "AF20055",
                    new Row(
                            ErrorKind.WINDOW,
                            "The time window was rejected (both or neither, <= 24 h, "
                                    + "start before end, start not before now - 7 d): recompute it, correcting clock skew with the "
                                    + "server's Date header.")),
            Map.entry(
                    "AF429",
                    new Row(
                            ErrorKind.TRANSIENT,
                            "Throttled by the service (too many requests); "
                                    + "back off. Persistent throttling: lower the request budget or open a support ticket.")),
            Map.entry("AF50000", new Row(ErrorKind.TRANSIENT, "Internal error in the service; retry.")),
            Map.entry("AF50005", new Row(ErrorKind.TRANSIENT, "Internal error in the service; retry.")),
            Map.entry("AF50006", new Row(ErrorKind.TRANSIENT, "Internal error in the service; retry.")));

    /** The API's spacing between two start requests of a content type (reference 2.1). */
    public static final Duration START_SPACING = Duration.ofMinutes(15);

    /**
     * Rows that apply to one call only, before {@link #TABLE}. The code for the 15-minute rule between starts is not
     * documented (reference 3.9, 6): the service's throttling code AF429 with {@code Method=StartSubscription} on
     * /subscriptions/start is taken for it, as the simulator answers.
     */
    public static final Map<Call, Map<String, Row>> BY_CALL = Map.of(
            Call.START_SUBSCRIPTION,
            Map.of(
                    "AF429",
                    new Row(
                            ErrorKind.START_LIMIT,
                            "The API allows one start request per content type every 15 minutes, and this one "
                                    + "came too soon after the last: it is not retried (retrying sooner cannot "
                                    + "help); start again once 15 minutes have passed since the last start.")));

    static final String AUDIT_OFF_ADVICE = "The audit service does not know this tenant: unified audit logging may "
            + "be off for this tenant (enabling it takes up to 60 minutes), or the tenant id is wrong.";

    static final String DLP_ADVICE = "DLP.All was refused while authenticating: grant the application the permission "
            + "ActivityFeed.ReadDlp (Application) of 'Office 365 Management APIs' and admin consent, or remove "
            + "DLP.All from the content types.";

    private static final ObjectMapper MAPPER = BoundedJson.uncachedNamesMapper();
    private static final Pattern CODE_IN_TEXT = Pattern.compile("\\b(AF\\d{3,5})\\b");

    private ErrorClassifier() {}

    /** The parsed error body: code and message, either possibly null. */
    public record ErrorBody(String code, String message) {}

    /** Parses {@code {"error":{"code","message"}}} defensively; never throws. */
    public static ErrorBody parse(String body) {
        if (body == null || body.isBlank()) {
            return new ErrorBody(null, null);
        }
        try {
            JsonNode root = MAPPER.readTree(body);
            JsonNode err = root == null ? null : root.get("error");
            if (err != null && err.isObject()) {
                return new ErrorBody(text(err.get("code")), text(err.get("message")));
            }
            if (err != null && err.isTextual()) {
                return new ErrorBody(text(root.get("error")), text(root.get("error_description")));
            }
        } catch (IOException | RuntimeException ignored) {
            // not JSON: fall through to text search
        }
        Matcher m = CODE_IN_TEXT.matcher(body);
        return new ErrorBody(m.find() ? m.group(1) : null, null);
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.isTextual() ? n.asText() : n.toString();
    }

    /**
     * Classifies a non-2xx response.
     *
     * @param call        what was called
     * @param contentType the content type involved, or null
     * @param status      HTTP status
     * @param body        the (bounded) response body, may be null
     * @param retryAfter  parsed Retry-After, may be null
     * @param serverDate  parsed Date header, may be null
     */
    public static ApiException classify(
            Call call, String contentType, int status, String body, Duration retryAfter, Instant serverDate) {
        ErrorBody eb = parse(body);
        String code = normalizeCode(eb.code());
        String lowerBody = body == null ? "" : body.toLowerCase(Locale.ROOT);
        String where = describe(call, contentType) + " failed: HTTP " + status;
        String serviceText = eb.message() == null ? "" : " (" + abbreviate(eb.message()) + ")";

        Row row = code == null ? null : BY_CALL.getOrDefault(call, Map.of()).getOrDefault(code, TABLE.get(code));

        if (row != null) {
            ErrorKind kind = row.kind();
            if (kind == ErrorKind.SKIP_BLOB && call != Call.FETCH_BLOB) {
                kind = ErrorKind.PERMANENT;
            }
            String advice = row.advice();
            if ("AF10001".equals(code) && "DLP.All".equalsIgnoreCase(contentType)) {
                advice = advice + " For DLP.All also grant ActivityFeed.ReadDlp (Application).";
            }
            return new ApiException(
                    kind, status, code, where + " " + code + ": " + advice + serviceText, retryAfter, serverDate, null);
        }
        if (lowerBody.contains("too many request")) {
            return new ApiException(
                    ErrorKind.TRANSIENT,
                    status,
                    code,
                    where + ": throttled (too many requests); " + "backing off",
                    retryAfter,
                    serverDate,
                    null);
        }
        if (lowerBody.contains("does not exist") && lowerBody.contains("tenant")) {
            // the malformed "StartSubscription [CorrId=...]" shape when audit logging is off or the tenant unknown
            return new ApiException(
                    ErrorKind.PERMANENT,
                    status,
                    code == null ? null : abbreviate(code),
                    where + ": " + AUDIT_OFF_ADVICE,
                    retryAfter,
                    serverDate,
                    null);
        }
        if (status == 408 || status == 429 || status >= 500) {
            return new ApiException(
                    ErrorKind.TRANSIENT,
                    status,
                    code,
                    where + serviceText + "; will retry",
                    retryAfter,
                    serverDate,
                    null);
        }
        if (status == 401) {
            if ("DLP.All".equalsIgnoreCase(contentType)) {
                return new ApiException(
                        ErrorKind.PERMANENT, status, code, where + ": " + DLP_ADVICE, retryAfter, serverDate, null);
            }
            return new ApiException(
                    ErrorKind.AUTHENTICATION,
                    status,
                    code,
                    where + ": the access token was "
                            + "rejected even after a refresh; check the tenant id, client id, credential and the cloud "
                            + "setting (the token audience must match the API host)" + serviceText,
                    retryAfter,
                    serverDate,
                    null);
        }
        if (status == 404 && call == Call.FETCH_BLOB) {
            return new ApiException(
                    ErrorKind.SKIP_BLOB,
                    status,
                    code,
                    where + ": the content blob was not found; " + "skip it",
                    retryAfter,
                    serverDate,
                    null);
        }
        if (status == 404) {
            return new ApiException(
                    ErrorKind.PERMANENT,
                    status,
                    code,
                    where + ": not found; check the API base URL " + "and the tenant id" + serviceText,
                    retryAfter,
                    serverDate,
                    null);
        }
        return new ApiException(
                ErrorKind.PERMANENT,
                status,
                code == null ? null : abbreviate(code),
                where + (code == null ? "" : " " + abbreviate(code)) + serviceText,
                retryAfter,
                serverDate,
                null);
    }

    /**
     * Classifies an IO failure (connect, reset, timeout, truncated body, a body over its cap): always TRANSIENT. A
     * body over its cap ({@link BodyLimits}) is not the service's answer (a broken or hostile proxy, a gzip bomb): it
     * is refused, and the call retried as after a reset, so nothing is skipped; it never ends in memory.
     */
    public static ApiException ioFailure(Call call, String contentType, IOException e) {
        String what = e instanceof BodyLimits.BodyTooLargeException
                ? "failed: " + e.getMessage()
                : e instanceof SocketTimeoutException || e instanceof InterruptedIOException
                        ? "timed out"
                        : "failed: " + e.getClass().getSimpleName()
                                + (e.getMessage() == null ? "" : " " + e.getMessage());
        return new ApiException(ErrorKind.TRANSIENT, describe(call, contentType) + " " + what + "; will retry", e);
    }

    private static String normalizeCode(String code) {
        if (code == null) {
            return null;
        }
        String c = code.trim();
        Matcher m = CODE_IN_TEXT.matcher(c);
        if (c.toUpperCase(Locale.ROOT).startsWith("AF") && m.find()) {
            return m.group(1);
        }
        return c;
    }

    static String describe(Call call, String contentType) {
        String name = switch (call) {
            case START_SUBSCRIPTION -> "Starting the subscription";
            case STOP_SUBSCRIPTION -> "Stopping the subscription";
            case LIST_SUBSCRIPTIONS -> "Listing subscriptions";
            case LIST_CONTENT -> "Listing content";
            case LIST_NOTIFICATIONS -> "Listing notifications";
            case NEXT_PAGE -> "Fetching the next listing page";
            case FETCH_BLOB -> "Fetching a content blob";
            case DLP_SENSITIVE_TYPES -> "Listing DLP sensitive types";
        };
        return contentType == null ? name : name + " for " + contentType;
    }

    private static String abbreviate(String s) {
        String oneLine = s.replaceAll("\\s+", " ").trim();
        return oneLine.length() > 300 ? oneLine.substring(0, 300) + "..." : oneLine;
    }
}
