package io.github.auditlake.o365.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.StubServer;
import io.github.auditlake.o365.api.TokenProvider;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/** Every call but a blob's body has a whole-call timeout: a server that never answers cannot hold a task. */
class CallTimeoutTest {
    private static ClientSettings.Builder settings() {
        return ClientSettings.builder().tenantId("t").clientId("c").clientSecret("s");
    }

    @Test
    void theClientHasACallTimeoutByDefault() {
        OkHttpClient http = ManagementApis.httpClient(settings().build());
        assertEquals(ClientSettings.DEFAULT_CALL_TIMEOUT.toMillis(), http.callTimeoutMillis());
        assertTrue(http.callTimeoutMillis() > 0);
    }

    @Test
    void noCallTimeoutIsRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> settings().callTimeout(Duration.ZERO).build());
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES) // a guard against a hang
    void aSignInThatNeverAnswersEndsWithATransientTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (StubServer stub = new StubServer()) {
            // the login host accepts the request and never answers: without a call timeout this waits forever
            stub.handler((ex, r) -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            ClientSettings s = settings()
                    .loginBaseUrl(stub.baseUrl())
                    .allowList(io.github.auditlake.o365.api.EndpointAllowList.ANY)
                    .readTimeout(Duration.ofMinutes(10))
                    .callTimeout(Duration.ofMillis(300))
                    .build();
            OkHttpClient http = ManagementApis.httpClient(s);
            try (TokenProvider tokens = ManagementApis.tokenProvider(s, http)) {
                ApiException e = assertThrows(ApiException.class, tokens::token);
                assertEquals(ErrorKind.TRANSIENT, e.kind(), e.getMessage());
            } finally {
                release.countDown();
                http.dispatcher().executorService().shutdown();
            }
        }
    }
}
