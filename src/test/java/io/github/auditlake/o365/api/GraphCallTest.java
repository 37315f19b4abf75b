package io.github.auditlake.o365.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
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
        assertNull(RetryAfter.parse("-1", null, null));
        assertNull(RetryAfter.parse(null, null, null));
        assertNull(RetryAfter.parse("soon", null, Instant.EPOCH));
    }

    @Test
    void anHttpDateRetryAfterIsReadAgainstTheAnswersOwnDate() throws Exception {
        // the server's clock is a day ahead of ours: its Date, not ours, is the reference
        assertEquals(
                Duration.ofSeconds(30),
                RetryAfter.parse(
                        "Wed, 21 Oct 2015 07:28:30 GMT",
                        "Wed, 21 Oct 2015 07:28:00 GMT",
                        Instant.parse("2015-10-20T07:28:00Z")));
        assertEquals(
                Duration.ofSeconds(5),
                RetryAfter.parse("Wed, 21 Oct 2015 07:28:05 GMT", null, Instant.parse("2015-10-21T07:28:00Z")));
        assertEquals(
                Duration.ZERO,
                RetryAfter.parse("Wed, 21 Oct 2015 07:28:00 GMT", "Wed, 21 Oct 2015 08:00:00 GMT", null));
        assertNull(RetryAfter.parse("Wed, 21 Oct 2015 07:28:00 GMT", null, null), "nothing to read a date against");
        try (StubServer s = new StubServer()) {
            // the JDK server sets its own Date (now): an hour after it, whatever this machine's load
            String inAnHour = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
                    java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusHours(1));
            s.enqueue(StubServer.Reply.json(429, "{}").with("Retry-After", inAnHour));
            Duration d = get(s, 1024).retryAfter();
            assertTrue(
                    d != null && d.compareTo(Duration.ofMinutes(50)) > 0 && d.compareTo(Duration.ofMinutes(61)) < 0,
                    "an HTTP-date Retry-After read against the answer's Date: " + d);
        }
    }

    @Test
    void aBodyOverItsCapIsNotRead() throws Exception {
        try (StubServer s = new StubServer()) {
            s.enqueue(StubServer.Reply.json(200, "y".repeat(2048)));
            assertThrows(BodyLimits.BodyTooLargeException.class, () -> get(s, 1024));
        }
    }
}
