package io.github.auditlake.o365.testkit;

import io.github.auditlake.o365.O365AuditSourceConnector;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.config.O365SourceConfig;
import io.github.auditlake.o365.config.O365SourceTaskConfig;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One builder for the connector (and task) configurations the tests run against a Management API simulator:
 * <pre>{@code
 * Map<String, String> c = ConnectorConfigs.forSimulator(sim.baseUrl()).tenant(TENANT).client(CLIENT, SECRET)
 *         .contentTypes(ContentType.EXCHANGE).lookback(Duration.ofHours(2)).noHeartbeats()
 *         .connector(2).topic("audit").stringConverters().build();
 * }</pre>
 * Only what a test sets is in the map (plus the simulator's API and sign-in URLs), so each test keeps the
 * configuration it had; {@link #with} sets any other key. The simulator is given by its base URL, so this class does
 * not depend on where the simulator lives.
 */
public final class ConnectorConfigs {
    /** The connector's string converters, as a worker's REST request names them. */
    public static final String STRING_CONVERTER = "org.apache.kafka.connect.storage.StringConverter";

    private final Map<String, String> config = new LinkedHashMap<>();

    private ConnectorConfigs() {}

    /** A configuration whose API and sign-in base URLs are the simulator's ({@code sim.baseUrl()}). */
    public static ConnectorConfigs forSimulator(String baseUrl) {
        return new ConnectorConfigs()
                .with(O365SourceConfig.API_URL_CONFIG, baseUrl)
                .with(O365SourceConfig.LOGIN_URL_CONFIG, baseUrl);
    }

    /** {@code connector.class} and {@code tasks.max}: a configuration to post to a Connect worker. */
    public ConnectorConfigs connector(int tasksMax) {
        return with("connector.class", O365AuditSourceConnector.class.getName())
                .with("tasks.max", Integer.toString(tasksMax));
    }

    public ConnectorConfigs tenant(String tenantId) {
        return with(O365SourceConfig.TENANT_ID_CONFIG, tenantId);
    }

    /** {@code o365.tenant.ids}, as written (e.g. {@code "a, b"}). */
    public ConnectorConfigs tenants(String tenantIds) {
        return with(O365SourceConfig.TENANT_IDS_CONFIG, tenantIds);
    }

    public ConnectorConfigs clientId(String clientId) {
        return with(O365SourceConfig.CLIENT_ID_CONFIG, clientId);
    }

    /** The application's id and client secret. */
    public ConnectorConfigs client(String clientId, String secret) {
        return clientId(clientId).with(O365SourceConfig.CLIENT_SECRET_CONFIG, secret);
    }

    public ConnectorConfigs contentTypes(ContentType... types) {
        return with(
                O365SourceConfig.CONTENT_TYPES_CONFIG,
                Arrays.stream(types).map(ContentType::wireName).collect(Collectors.joining(",")));
    }

    public ConnectorConfigs topic(String topic) {
        return with(O365SourceConfig.TOPIC_CONFIG, topic);
    }

    public ConnectorConfigs lookback(Duration lookback) {
        return with(O365SourceConfig.INITIAL_LOOKBACK_MS_CONFIG, Long.toString(lookback.toMillis()));
    }

    public ConnectorConfigs pollInterval(Duration interval) {
        return with(O365SourceConfig.POLL_INTERVAL_MS_CONFIG, Long.toString(interval.toMillis()));
    }

    /** {@code o365.heartbeat.interval.ms=0}. */
    public ConnectorConfigs noHeartbeats() {
        return with(O365SourceConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "0");
    }

    /** {@code o365.retry.backoff.ms} and {@code o365.retry.backoff.max.ms}. */
    public ConnectorConfigs retryBackoff(Duration initial, Duration max) {
        return with(O365SourceConfig.RETRY_BACKOFF_MS_CONFIG, Long.toString(initial.toMillis()))
                .with(O365SourceConfig.RETRY_BACKOFF_MAX_MS_CONFIG, Long.toString(max.toMillis()));
    }

    /** {@code key.converter} and {@code value.converter}: strings. */
    public ConnectorConfigs stringConverters() {
        return with("key.converter", STRING_CONVERTER).with("value.converter", STRING_CONVERTER);
    }

    /** A task's configuration: its assigned streams ({@code tenant|contentType,...}) and its request budget. */
    public ConnectorConfigs task(String streams, int requestsPerMinute) {
        return with(O365SourceTaskConfig.TASK_STREAMS_CONFIG, streams)
                .with(O365SourceTaskConfig.TASK_REQUESTS_PER_MINUTE_CONFIG, Integer.toString(requestsPerMinute));
    }

    /** Any other key (replaces an earlier value). */
    public ConnectorConfigs with(String key, String value) {
        config.put(key, value);
        return this;
    }

    /** A new mutable map, in the order the keys were set. */
    public Map<String, String> build() {
        return new LinkedHashMap<>(config);
    }
}
