package io.github.auditlake.o365.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

/** The Graph clients' one exchange: bearer token, a 401 retried once fresh, bounded bodies, Retry-After. */
class GraphCallTest {
    final OkHttpClient http = new OkHttpClient();
    final FixedTokens tokens = new FixedTokens();

    GraphCall.Answer get(StubServer s, long maxBytes) throws Exception {
        return GraphCall.execute(
                http, tokens, "ua/1", () -> new Request.Builder().url(s.baseUrl() + "/v1.0/x"), maxBytes, "test body");
    }

    @Test
    void aRejectedTokenIsRefreshedOnceThenTheAnswerIsRead() throws Exception {
        try (StubServer s = new StubServer()) {
            s.enqueue(StubServer.Reply.json(401, "{}")).enqueue(StubServer.Reply.json(200, "{\"value\":[]}"));
            GraphCall.Answer a = get(s, 1024);
            assertTrue(a.ok());
            assertArrayEquals("{\"value\":[]}".getBytes(StandardCharsets.UTF_8), a.body());
            assertEquals("Bearer tok-1", s.requests().get(0).header("Authorization"));
            assertEquals("Bearer tok-2", s.requests().get(1).header("Authorization"));
            assertEquals("ua/1", s.requests().get(1).header("User-Agent"));
            assertEquals("application/json", s.requests().get(1).header("Accept"));
            assertEquals(1, tokens.invalidations.get());
        }
    }

    @Test
    void aSecond401IsTheAnswerNotAnotherRefresh() throws Exception {
        try (StubServer s = new StubServer()) {
            s.enqueue(StubServer.Reply.json(401, "{}")).enqueue(StubServer.Reply.json(401, "{\"error\":{}}"));
            GraphCall.Answer a = get(s, 1024);
            assertEquals(401, a.status());
            assertEquals("{\"error\":{}}", a.errorBody());
            assertEquals(2, s.requests().size());
        }
    }

    @Test
    void anErrorCarriesItsFirstBytesAndItsRetryAfterInSeconds() throws Exception {
        try (StubServer s = new StubServer()) {
            String big = "x".repeat(BodyLimits.ERROR_MAX_BYTES + 10);
            s.enqueue(StubServer.Reply.json(429, big).with("Retry-After", "17"));
            GraphCall.Answer a = get(s, 1024);
            assertFalse(a.ok());
            assertNull(a.body());
            assertEquals(BodyLimits.ERROR_MAX_BYTES, a.errorBody().length(), "only the first bytes are read");
            assertEquals(Duration.ofSeconds(17), a.retryAfter());
        }
        assertNull(GraphCall.retryAfterSeconds("Wed, 21 Oct 2015 07:28:00 GMT"));
        assertNull(GraphCall.retryAfterSeconds("-1"));
        assertNull(GraphCall.retryAfterSeconds(null));
    }

    @Test
    void aBodyOverItsCapIsNotRead() throws Exception {
        try (StubServer s = new StubServer()) {
            s.enqueue(StubServer.Reply.json(200, "y".repeat(2048)));
            assertThrows(BodyLimits.BodyTooLargeException.class, () -> get(s, 1024));
        }
    }
}
