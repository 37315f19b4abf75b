package io.github.auditlake.o365.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.AccessToken;
import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.RetryPolicy;
import io.github.auditlake.o365.api.TokenProvider;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class OkHttpAuditSearchApiTest {

    static final String AUDIT_DATA = "{\"CreationTime\":\"2024-01-02T03:04:05\",\"Id\":\"x-1\",\"Operation\":\"Send\","
            + "\"RecordType\":2,  \"Workload\":\"Exchange\",\"Note\":\"caf\\u00e9 \u00e9 \\\"q\\\"\"}";

    @Test
    void auditDataIsKeptByteForByte() {
        String body =
                "{\"@odata.context\":\"x\",\"value\":[{\"id\":\"x-1\",\"createdDateTime\":\"2024-01-02T03:04:05Z\","
                        + "\"auditData\":" + AUDIT_DATA + ",\"service\":\"Exchange\"}],"
                        + "\"@odata.nextLink\":\"https://graph.microsoft.com/v1.0/next\"}";
        RecordPage page = OkHttpAuditSearchApi.parsePage(body.getBytes(StandardCharsets.UTF_8));
        assertEquals(1, page.records().size());
        HistoryRecord r = page.records().get(0);
        assertEquals(AUDIT_DATA, r.json());
        assertEquals("x-1", r.id());
        assertEquals(Instant.parse("2024-01-02T03:04:05Z"), r.created());
        assertEquals(ContentType.EXCHANGE, r.contentType());
        assertEquals(Optional.of("https://graph.microsoft.com/v1.0/next"), page.nextLink());
    }

    @Test
    void auditDataSentAsAStringIsItsContent() {
        String quoted = AUDIT_DATA.replace("\\", "\\\\").replace("\"", "\\\"");
        String body = "{\"value\":[{\"id\":\"x-1\",\"auditData\":\"" + quoted + "\"}]}";
        RecordPage page = OkHttpAuditSearchApi.parsePage(body.getBytes(StandardCharsets.UTF_8));
        assertEquals(AUDIT_DATA, page.records().get(0).json());
        assertEquals(Optional.empty(), page.nextLink());
    }

    @Test
    void anElementThatIsNotAnAuditRecordIsKeptAsUnreadableAndTheRestRead() {
        String body = "{\"value\":["
                + "{\"id\":\"bad-1\",\"createdDateTime\":\"2024-01-02T03:04:05Z\",\"auditData\":null},"
                + "{\"id\":\"x-1\",\"auditData\":" + AUDIT_DATA + "},"
                + "{\"id\":\"bad-2\",\"auditData\":\"{not json\"},"
                + "{\"id\":\"bad-3\",\"auditData\":{\"Operation\":\"Send\"}}"
                + "],\"@odata.nextLink\":\"https://graph.microsoft.com/v1.0/next\"}";
        RecordPage page = OkHttpAuditSearchApi.parsePage(body.getBytes(StandardCharsets.UTF_8));
        assertEquals(4, page.records().size(), "nothing dropped, nothing thrown");
        HistoryRecord noData = page.records().get(0);
        assertEquals("bad-1", noData.id());
        assertTrue(noData.problem().contains("without auditData"), noData.problem());
        assertEquals(Instant.parse("2024-01-02T03:04:05Z"), noData.created());
        assertTrue(
                noData.json().startsWith("{\"id\":\"bad-1\"") && noData.json().endsWith("null}"), noData.json());
        assertEquals(null, page.records().get(1).problem());
        assertEquals(AUDIT_DATA, page.records().get(1).json());
        assertTrue(
                page.records().get(2).problem().contains("not valid JSON"),
                page.records().get(2).problem());
        assertEquals("{not json", page.records().get(2).json());
        assertTrue(
                page.records().get(3).problem().contains("creation time"),
                page.records().get(3).problem());
        assertEquals(Optional.of("https://graph.microsoft.com/v1.0/next"), page.nextLink(), "the page goes on");
    }

    @Test
    void queryStateWithItsLimitFlag() {
        String body = "{\"id\":\"q1\",\"status\":\"succeeded\",\"filterStartDateTime\":\"2024-01-01T00:00:00Z\","
                + "\"filterEndDateTime\":\"2024-01-02T00:00:00Z\",\"recordCountLimit\":100,"
                + "\"approximateReturnedRecordCount\":100,\"isRecordCountLimitExceeded\":true}";
        AuditQuery q = OkHttpAuditSearchApi.parseQuery(body.getBytes(StandardCharsets.UTF_8), null);
        assertEquals(QueryStatus.SUCCEEDED, q.status());
        assertTrue(q.limitExceeded());
        assertEquals(100, q.recordLimit().getAsLong());
        assertEquals(Instant.parse("2024-01-01T00:00:00Z"), q.range().from());
        assertEquals(QueryStatus.UNKNOWN, QueryStatus.fromWire("somethingNew"));
    }

    @Test
    void withoutTheFlagACountAtTheLimitMeansTruncated() {
        String atLimit = "{\"id\":\"q1\",\"status\":\"succeeded\",\"recordCountLimit\":100,"
                + "\"approximateReturnedRecordCount\":100}";
        String under = "{\"id\":\"q1\",\"status\":\"succeeded\",\"recordCountLimit\":100,"
                + "\"approximateReturnedRecordCount\":99}";
        String neither = "{\"id\":\"q1\",\"status\":\"succeeded\"}";
        assertTrue(OkHttpAuditSearchApi.parseQuery(atLimit.getBytes(StandardCharsets.UTF_8), null)
                .mayBeTruncated());
        assertFalse(OkHttpAuditSearchApi.parseQuery(under.getBytes(StandardCharsets.UTF_8), null)
                .mayBeTruncated());
        assertFalse(OkHttpAuditSearchApi.parseQuery(neither.getBytes(StandardCharsets.UTF_8), null)
                .mayBeTruncated());
    }

    @Test
    void errorsAreClassified() {
        ApiException throttled = OkHttpAuditSearchApi.classify(
                "x", 429, "{\"error\":{\"code\":\"TooManyRequests\",\"message\":\"m\"}}", Duration.ofSeconds(9));
        assertEquals(ErrorKind.TRANSIENT, throttled.kind());
        assertEquals(Optional.of(Duration.ofSeconds(9)), throttled.retryAfter());
        ApiException forbidden = OkHttpAuditSearchApi.classify("x", 403, "not json", null);
        assertEquals(ErrorKind.PERMANENT, forbidden.kind());
        assertTrue(forbidden.getMessage().contains("AuditLogsQuery.Read.All"));
        assertEquals(
                ErrorKind.TRANSIENT,
                OkHttpAuditSearchApi.classify("x", 503, "", null).kind());
        assertEquals(
                ErrorKind.PERMANENT,
                OkHttpAuditSearchApi.classify("x", 400, "", null).kind());
    }

    @Test
    void nextLinksStayOnGraphsOrigin() {
        TokenProvider tokens = new TokenProvider() {
            @Override
            public AccessToken token() {
                return new AccessToken("t", Instant.MAX);
            }

            @Override
            public void invalidate(AccessToken rejected) {}
        };
        OkHttpAuditSearchApi api = new OkHttpAuditSearchApi(
                new OkHttpClient(),
                tokens,
                "http://127.0.0.1:9999",
                OkHttpAuditSearchApi.Path.V1,
                RetryPolicy.DEFAULT,
                Clock.systemUTC(),
                d -> {},
                new Random(1),
                null,
                false);
        assertEquals(
                "http://127.0.0.1:9999/v1.0/security/auditLog/queries/q/records?$skiptoken=abc",
                api.sameOrigin("https://graph.microsoft.com/v1.0/security/auditLog/queries/q/records?$skiptoken=abc")
                        .toString());
        assertEquals(
                "http://127.0.0.1:9999/x",
                api.sameOrigin("http://127.0.0.1:9999/x").toString());
        assertEquals(
                "http://127.0.0.1:9999/v1.0/security/auditLog/queries/q/records?$skiptoken=abc",
                api.sameOrigin("/v1.0/security/auditLog/queries/q/records?$skiptoken=abc")
                        .toString(),
                "a relative link is read against Graph's base");
        ApiException e = assertThrows(ApiException.class, () -> api.sameOrigin("https://evil.example.com/x"));
        assertEquals(ErrorKind.PERMANENT, e.kind());
    }
}
