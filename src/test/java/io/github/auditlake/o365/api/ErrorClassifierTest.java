package io.github.auditlake.o365.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ErrorClassifier.Call;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ErrorClassifierTest {

    private static String err(String code) {
        return "{\"error\":{\"code\":\"" + code + "\",\"message\":\"text for " + code + "\"}}";
    }

    /**
     * The expected classification of each service error code, written independently of {@link ErrorClassifier#TABLE}:
     * code, HTTP status, call, expected kind. Some codes appear more than once (on another call or status).
     */
    static final List<String> CASES = List.of(
            "AF10001, 401, LIST_CONTENT, PERMANENT",
            "AF20001, 400, LIST_CONTENT, PERMANENT",
            "AF20002, 400, LIST_CONTENT, PERMANENT",
            "AF20003, 400, START_SUBSCRIPTION, PERMANENT",
            "AF20010, 400, LIST_CONTENT, PERMANENT",
            "AF20011, 400, LIST_CONTENT, PERMANENT",
            "AF20012, 400, LIST_CONTENT, PERMANENT",
            "AF20013, 400, LIST_CONTENT, PERMANENT",
            "AF20020, 400, LIST_CONTENT, PERMANENT",
            "AF20021, 400, START_SUBSCRIPTION, PERMANENT",
            "AF20022, 400, LIST_CONTENT, RESUBSCRIBE",
            "AF20023, 400, LIST_CONTENT, RESUBSCRIBE",
            "AF20024, 400, START_SUBSCRIPTION, PERMANENT",
            "AF20030, 400, LIST_CONTENT, WINDOW",
            "AF20031, 400, NEXT_PAGE, TRANSIENT",
            "AF20050, 404, FETCH_BLOB, SKIP_BLOB",
            "AF20051, 400, FETCH_BLOB, SKIP_BLOB",
            "AF20052, 400, FETCH_BLOB, SKIP_BLOB",
            "AF20052, 400, LIST_CONTENT, PERMANENT",
            "AF20053, 400, DLP_SENSITIVE_TYPES, PERMANENT",
            "AF20054, 400, DLP_SENSITIVE_TYPES, PERMANENT",
            "AF20055, 400, LIST_CONTENT, WINDOW",
            "AF429, 403, FETCH_BLOB, TRANSIENT",
            "AF429, 429, LIST_CONTENT, TRANSIENT",
            "AF429, 400, LIST_CONTENT, TRANSIENT",
            "AF429, 403, START_SUBSCRIPTION, START_LIMIT",
            "AF50000, 500, LIST_CONTENT, TRANSIENT",
            "AF50005, 500, LIST_CONTENT, TRANSIENT",
            "AF50006, 503, LIST_CONTENT, TRANSIENT");

    static Stream<Arguments> cases() {
        return CASES.stream()
                .map(c -> c.split(",\\s*"))
                .map(f -> Arguments.of(f[0], Integer.parseInt(f[1]), Call.valueOf(f[2]), ErrorKind.valueOf(f[3])));
    }

    @ParameterizedTest(name = "{0} on {2} with HTTP {1} -> {3}")
    @MethodSource("cases")
    void codes(String code, int status, Call call, ErrorKind expected) {
        ApiException e = ErrorClassifier.classify(call, "Audit.Exchange", status, err(code), null, null);
        assertEquals(expected, e.kind(), e.getMessage());
        assertEquals(code, e.errorCode().orElseThrow());
        assertEquals(status, e.httpStatus());
        assertTrue(e.getMessage().contains(code), e.getMessage());
    }

    static Stream<String> tableCodes() {
        return ErrorClassifier.TABLE.keySet().stream().sorted();
    }

    /**
     * One check per row of the table: the row has an expected case above (so a new or changed row cannot go
     * untested), and classifying that code on the case's call gives the row's advice and the expected kind.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("tableCodes")
    void everyRowOfTheTableHasACaseAndItsAdviceReachesTheMessage(String code) {
        String[] first = CASES.stream()
                .map(c -> c.split(",\\s*"))
                .filter(f -> f[0].equals(code))
                .findFirst()
                .orElseThrow(() -> new AssertionError(code + " is in ErrorClassifier.TABLE but has no case in CASES"));
        ApiException e = ErrorClassifier.classify(
                Call.valueOf(first[2]), "Audit.Exchange", Integer.parseInt(first[1]), err(code), null, null);
        assertEquals(ErrorKind.valueOf(first[3]), e.kind(), e.getMessage());
        assertTrue(
                e.getMessage().contains(ErrorClassifier.TABLE.get(code).advice()),
                "the row's advice is in the message: " + e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyCaseNamesARowOfTheTable(String code) {
        assertTrue(ErrorClassifier.TABLE.containsKey(code), code + " has a case but no row in ErrorClassifier.TABLE");
    }

    @Test
    void af10001IsActionable() {
        ApiException e = ErrorClassifier.classify(
                Call.LIST_CONTENT,
                "Audit.General",
                401,
                "{\"error\":{\"code\":\"AF10001\",\"message\":\"The permission set () sent in the request does not "
                        + "include the expected permission.\"}}",
                null,
                null);
        assertEquals(ErrorKind.PERMANENT, e.kind());
        assertTrue(e.getMessage().contains("ActivityFeed.Read (Application"), e.getMessage());
        assertTrue(e.getMessage().contains("admin consent"), e.getMessage());
    }

    @Test
    void dlpWithoutReadDlpSaysSo() {
        ApiException e = ErrorClassifier.classify(Call.LIST_CONTENT, "DLP.All", 401, "", null, null);
        assertEquals(ErrorKind.PERMANENT, e.kind());
        assertTrue(e.getMessage().contains("ActivityFeed.ReadDlp"), e.getMessage());
        ApiException af = ErrorClassifier.classify(Call.LIST_CONTENT, "DLP.All", 401, err("AF10001"), null, null);
        assertTrue(af.getMessage().contains("ActivityFeed.ReadDlp"), af.getMessage());
    }

    @Test
    void plain401IsAuthentication() {
        assertEquals(
                ErrorKind.AUTHENTICATION,
                ErrorClassifier.classify(Call.LIST_CONTENT, "Audit.General", 401, "", null, null)
                        .kind());
    }

    /** One check per call-specific row: it has its case above, and its advice reaches the message. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"START_SUBSCRIPTION, AF429"})
    void everyCallSpecificRowHasACaseAndItsAdviceReachesTheMessage(Call call, String code) {
        ErrorClassifier.Row row = ErrorClassifier.BY_CALL.get(call).get(code);
        assertTrue(
                CASES.contains(code + ", 403, " + call + ", " + row.kind()),
                call + " " + code + " is in ErrorClassifier.BY_CALL but has no case in CASES");
        ApiException e = ErrorClassifier.classify(call, "Audit.Exchange", 403, err(code), null, null);
        assertTrue(e.getMessage().contains(row.advice()), e.getMessage());
        assertEquals(
                1, ErrorClassifier.BY_CALL.values().stream().mapToInt(Map::size).sum(), "one case per row");
    }

    /** The 15-minute rule between starts is not throttling: not transient (never retried), no budget advice. */
    @Test
    void startTooSoonIsTheStartRuleNotThrottling() {
        ApiException e = ErrorClassifier.classify(
                Call.START_SUBSCRIPTION,
                "Audit.General",
                403,
                "{\"error\":{\"code\":\"AF429\",\"message\":\"Too many requests. Method=StartSubscription, "
                        + "PublisherId=x\"}}",
                null,
                null);
        assertEquals(ErrorKind.START_LIMIT, e.kind());
        assertTrue(!e.isTransient(), "never retried by the client");
        assertTrue(e.getMessage().contains("one start request per content type every 15 minutes"), e.getMessage());
        assertTrue(!e.getMessage().contains("request budget"), e.getMessage());
    }

    @Test
    void tooManyRequestsTextIsTransientWhateverTheStatus() {
        ApiException e = ErrorClassifier.classify(
                Call.FETCH_BLOB, null, 403, "<html>Too Many Requests from your IP</html>", null, null);
        assertEquals(ErrorKind.TRANSIENT, e.kind());
    }

    @Test
    void malformedAuditOffBodyIsExplained() {
        String body = "{\"error\":{\"code\":\"StartSubscription [CorrId=1f0c][TenantId=7d3c,ContentType=Audit.General,"
                + "ApplicationId=6f1c,PublisherId=7d3c][AppId\",\"message\":\"] failed. Exception: Microsoft.Office."
                + "Compliance.Audit.DataServiceException: Tenant 7d3c does not exist.\\r\\n   at Microsoft.Office."
                + "Compliance.Audit.X.Y()\"}}";
        ApiException e = ErrorClassifier.classify(Call.START_SUBSCRIPTION, "Audit.General", 400, body, null, null);
        assertEquals(ErrorKind.PERMANENT, e.kind());
        assertTrue(e.getMessage().contains("unified audit logging may be off"), e.getMessage());
        assertTrue(e.getMessage().contains("60 minutes"), e.getMessage());
        // not even valid JSON
        ApiException e2 = ErrorClassifier.classify(
                Call.START_SUBSCRIPTION,
                "Audit.General",
                400,
                "{\"error\":{\"code\":\"StartSubscription [CorrId=..., Tenant x does not exist",
                null,
                null);
        assertEquals(ErrorKind.PERMANENT, e2.kind());
    }

    @ParameterizedTest
    @CsvSource({
        "408, TRANSIENT",
        "429, TRANSIENT",
        "500, TRANSIENT",
        "502, TRANSIENT",
        "503, TRANSIENT",
        "504, TRANSIENT",
        "400, PERMANENT",
        "403, PERMANENT",
        "404, PERMANENT",
        "405, PERMANENT"
    })
    void statusWithoutCode(int status, ErrorKind kind) {
        assertEquals(
                kind,
                ErrorClassifier.classify(Call.LIST_CONTENT, null, status, "oops", null, null)
                        .kind());
    }

    @Test
    void blob404IsSkip() {
        assertEquals(
                ErrorKind.SKIP_BLOB,
                ErrorClassifier.classify(Call.FETCH_BLOB, null, 404, "", null, null)
                        .kind());
    }

    @Test
    void ioIsTransient() {
        assertEquals(
                ErrorKind.TRANSIENT,
                ErrorClassifier.ioFailure(Call.LIST_CONTENT, null, new IOException("reset"))
                        .kind());
        assertEquals(
                ErrorKind.TRANSIENT,
                ErrorClassifier.ioFailure(Call.FETCH_BLOB, null, new SocketTimeoutException())
                        .kind());
    }

    @Test
    void keepsRetryAfterAndServerDate() {
        Instant date = Instant.parse("2024-03-01T10:00:00Z");
        ApiException e =
                ErrorClassifier.classify(Call.LIST_CONTENT, null, 400, err("AF20055"), Duration.ofSeconds(3), date);
        assertEquals(date, e.serverDate().orElseThrow());
        assertEquals(Duration.ofSeconds(3), e.retryAfter().orElseThrow());
    }

    @Test
    void codeInNonJsonText() {
        assertEquals(
                ErrorKind.TRANSIENT,
                ErrorClassifier.classify(Call.LIST_CONTENT, null, 403, "error AF429 happened", null, null)
                        .kind());
    }
}
