package io.github.auditlake.o365.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.client.ClientSettings;
import io.github.auditlake.o365.engine.EngineSettings;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The mappings from resolved settings to the engine's and the client's settings, with their named factors. */
class MappingTest {
    /** The catalogue's defaults, with some values replaced. */
    private static final class Values implements Resolved {
        final Map<Setting<?>, Object> set = new HashMap<>();

        <T> Values with(Setting<T> s, T v) {
            set.put(s, v);
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T value(Setting<T> s) {
            return set.containsKey(s) ? (T) set.get(s) : s.defaultValue();
        }
    }

    @Test
    void theCataloguesDefaultsGiveTheEnginesDefaults() {
        EngineSettings e = EngineMapping.from(new Values()).build();
        assertEquals(EngineSettings.DEFAULT_POLL_INTERVAL, e.pollInterval());
        assertEquals(EngineSettings.DEFAULT_FETCH_CONCURRENCY, e.fetchConcurrency());
        assertEquals(EngineSettings.DEFAULT_BUFFER_MAX_BYTES, e.bufferMaxBytes());
        assertEquals(EngineSettings.DEFAULT_HEARTBEAT_INTERVAL, e.heartbeatInterval());
        assertEquals(CollectionSettings.INITIAL_LOOKBACK_DEFAULT, e.initialLookback());
        assertTrue(e.manageSubscriptions());
        assertEquals(Duration.ofSeconds(1), e.backoffInitial());
        assertEquals(Duration.ofMinutes(5), e.backoffMax(), "five times the 60 s retry cap");
        assertEquals(4000, e.outputCapacity(), "two batches of 2000");
        assertEquals(Duration.ZERO, e.stallCommitAfter());
        assertEquals(null, e.endAt());
        assertFalse(e.isolateFailures());
        assertEquals(Duration.ofHours(24), e.planner().coverage());
    }

    @Test
    void eachSettingReachesTheEngine() {
        Values v = new Values()
                .with(CollectionSettings.POLL_INTERVAL_MS, 5_000L)
                .with(CollectionSettings.FETCH_CONCURRENCY, 7)
                .with(CollectionSettings.BUFFER_MAX_BYTES, 2L << 20)
                .with(CollectionSettings.BATCH_MAX_RECORDS, 100)
                .with(CollectionSettings.HEARTBEAT_INTERVAL_MS, 0L)
                .with(CollectionSettings.MANAGE_SUBSCRIPTIONS, false)
                .with(CollectionSettings.INITIAL_LOOKBACK_MS, 3_600_000L)
                .with(CollectionSettings.COVERAGE_MS, 7_200_000L)
                .with(HttpSettings.RETRY_BACKOFF_MS, 250L)
                .with(HttpSettings.RETRY_BACKOFF_MAX_MS, 2_000L);
        EngineSettings e = EngineMapping.from(v).build();
        assertEquals(Duration.ofSeconds(5), e.pollInterval());
        assertEquals(7, e.fetchConcurrency());
        assertEquals(2L << 20, e.bufferMaxBytes());
        assertEquals(EngineSettings.MIN_OUTPUT_CAPACITY, e.outputCapacity(), "small batches: the minimum");
        assertEquals(Duration.ZERO, e.heartbeatInterval());
        assertFalse(e.manageSubscriptions());
        assertEquals(Duration.ofHours(1), e.initialLookback());
        assertEquals(Duration.ofHours(2), e.planner().coverage());
        assertEquals(Duration.ofMillis(250), e.backoffInitial());
        assertEquals(Duration.ofSeconds(10), e.backoffMax());
        EngineSettings bounded = e.toBuilder()
                .stallCommitAfter(Duration.ofSeconds(10))
                .endAt(java.time.Instant.EPOCH)
                .isolateFailures(true)
                .build();
        assertEquals(bounded, bounded.toBuilder().build(), "toBuilder keeps every field");
    }

    @Test
    void theClientRetriesForFourCapsAndACallLastsThreeReadTimeoutsAtLeastTheDefault() {
        Values v = new Values()
                .with(HttpSettings.RETRY_MAX_ATTEMPTS, 3)
                .with(HttpSettings.RETRY_BACKOFF_MS, 100L)
                .with(HttpSettings.RETRY_BACKOFF_MAX_MS, 10_000L)
                .with(HttpSettings.HTTP_TIMEOUT_MS, 120_000L);
        ClientSettings c = ClientMapping.http(
                        v, ClientSettings.builder().tenantId("t").clientId("c").clientSecret("s"))
                .build();
        assertEquals(3, c.retryPolicy().maxAttempts());
        assertEquals(Duration.ofMillis(100), c.retryPolicy().baseDelay());
        assertEquals(Duration.ofSeconds(10), c.retryPolicy().maxDelay());
        assertEquals(Duration.ofSeconds(40), c.retryPolicy().maxElapsed());
        assertEquals(Duration.ofMinutes(2), c.connectTimeout());
        assertEquals(Duration.ofMinutes(2), c.readTimeout());
        assertEquals(Duration.ofMinutes(6), c.callTimeout());
        assertEquals(Duration.ofMinutes(6), ClientMapping.callTimeout(Duration.ofMinutes(2)));
        assertEquals(ClientSettings.DEFAULT_CALL_TIMEOUT, ClientMapping.callTimeout(Duration.ofSeconds(1)));
    }

    @Test
    void aProxyWithoutAPortIs3128() {
        assertEquals(3128, ClientMapping.proxyPort(URI.create("http://proxy.example")));
        assertEquals(8080, ClientMapping.proxyPort(URI.create("http://proxy.example:8080")));
    }

    @Test
    void modesAreReadInAnyCaseAndUnknownNamesAreNot() {
        assertEquals(
                AuthMethod.MANAGED_IDENTITY,
                AuthMethod.fromConfigName(" Managed-Identity ").orElseThrow());
        assertTrue(AuthMethod.fromConfigName("client-secret").isEmpty());
        assertTrue(AuthMethod.WORKLOAD_IDENTITY.secretless() && !AuthMethod.AUTO.secretless());
        assertEquals(ValueFormat.JSON_BYTES, ValueFormat.fromConfigName("JSON-BYTES"));
    }
}
