package io.github.auditlake.o365;

import io.github.auditlake.o365.api.Version;
import io.github.auditlake.o365.config.ApiFactory;
import io.github.auditlake.o365.config.ConfigValidator;
import io.github.auditlake.o365.config.DefaultApiFactory;
import io.github.auditlake.o365.config.LedgerTopicCreation;
import io.github.auditlake.o365.config.O365SourceConfig;
import io.github.auditlake.o365.config.O365SourceTaskConfig;
import io.github.auditlake.o365.cursor.StreamCursor;
import io.github.auditlake.o365.cursor.StreamId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.ConnectorTransactionBoundaries;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;
import org.apache.kafka.connect.util.ConnectorUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects Office 365 Management Activity API audit events. Each (tenant, content type) is a stream with its own
 * source partition; streams are spread over {@code min(tasks.max, streams)} tasks, never one stream in two tasks.
 */
public class O365AuditSourceConnector extends SourceConnector {
    private static final Logger log = LoggerFactory.getLogger(O365AuditSourceConnector.class);

    private final ApiFactory apiFactory;
    private Map<String, String> props;
    private O365SourceConfig config;

    public O365AuditSourceConnector() {
        this(new DefaultApiFactory());
    }

    O365AuditSourceConnector(ApiFactory apiFactory) {
        this.apiFactory = apiFactory;
    }

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        this.props = Map.copyOf(props);
        this.config = new O365SourceConfig(props);
        if (config.tenants().isEmpty() || config.bothTenantKeysSet()) {
            throw new ConnectException("Set exactly one of " + O365SourceConfig.TENANT_ID_CONFIG + " (one tenant GUID) "
                    + "or " + O365SourceConfig.TENANT_IDS_CONFIG + " (a comma-separated list of tenant GUIDs)");
        }
        if (config.clientId().isEmpty()
                && config.authMethod() != io.github.auditlake.o365.settings.AuthMethod.MANAGED_IDENTITY) {
            throw new ConnectException(O365SourceConfig.CLIENT_ID_CONFIG + " is required (the app registration's "
                    + "client id), unless " + O365SourceConfig.AUTH_METHOD_CONFIG + "=managed-identity");
        }
        log.info(
                "Connector starting: tenants {}, cloud {}, {} streams",
                config.tenants(),
                config.cloud().configName(),
                config.streams().size());
        LedgerTopicCreation.warning(props, config.ledgerTopic()).ifPresent(log::warn);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return O365AuditSourceTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<StreamId> streams = config.streams();
        int n = Math.max(1, Math.min(maxTasks, streams.size()));
        List<Map<String, String>> configs = new ArrayList<>(n);
        for (List<StreamId> group : ConnectorUtils.groupPartitions(streams, n)) {
            Map<String, String> task = new HashMap<>(props);
            // a task's own keys are the connector's to compute, never passed on from what a REST user typed: a
            // typed o365.task.requests.per.minute would lift the task past its share of o365.requests.per.minute
            task.remove(O365SourceTaskConfig.TASK_REQUESTS_PER_MINUTE_CONFIG);
            task.put(O365SourceTaskConfig.TASK_INDEX_CONFIG, Integer.toString(configs.size()));
            task.put(
                    O365SourceTaskConfig.TASK_STREAMS_CONFIG,
                    group.stream().map(StreamId::encode).collect(Collectors.joining(",")));
            configs.add(task);
        }
        return configs;
    }

    @Override
    public void stop() {
        log.info("Connector stopped");
    }

    @Override
    public ConfigDef config() {
        return O365SourceConfig.CONFIG_DEF;
    }

    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config base = super.validate(connectorConfigs);
        String ledger = connectorConfigs.get(O365SourceConfig.LEDGER_TOPIC_CONFIG);
        // a warning, not an error: the topic may have been created compacted beforehand
        LedgerTopicCreation.warning(connectorConfigs, ledger == null ? null : ledger.trim())
                .ifPresent(log::warn);
        return new ConfigValidator(apiFactory).validate(connectorConfigs, base);
    }

    /** Positions are committed atomically with records by the worker; this connector supports exactly-once. */
    @Override
    public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
        return ExactlyOnceSupport.SUPPORTED;
    }

    /** With {@code transaction.boundary=connector}, transactions end at blob boundaries (bounded in size). */
    @Override
    public ConnectorTransactionBoundaries canDefineTransactionBoundaries(Map<String, String> connectorConfig) {
        return ConnectorTransactionBoundaries.SUPPORTED;
    }

    /** Validates offset edits with the same parser the task uses; a null offset (reset) is always allowed. */
    @Override
    public boolean alterOffsets(Map<String, String> connectorConfig, Map<Map<String, ?>, Map<String, ?>> offsets) {
        for (Map.Entry<Map<String, ?>, Map<String, ?>> e : offsets.entrySet()) {
            try {
                StreamId.fromPartition(e.getKey());
                if (e.getValue() != null) {
                    StreamCursor.fromOffset(e.getValue())
                            .checkPlausible(java.time.Instant.now(), O365AuditSourceTask.PLAUSIBLE_FUTURE);
                }
            } catch (IllegalArgumentException ex) {
                throw new ConnectException(
                        "Rejected offset for partition " + e.getKey() + ": " + ex.getMessage()
                                + ". A valid offset is {\"v\":2,\"hw\":<epoch milliseconds>} (collection restarts at that "
                                + "time, less one hour re-listed); the partition is {\"tenant\":<tenant GUID>,"
                                + "\"contentType\":<content type>}.",
                        ex);
            }
        }
        return true;
    }
}
