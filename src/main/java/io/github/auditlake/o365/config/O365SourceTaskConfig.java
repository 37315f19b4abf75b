package io.github.auditlake.o365.config;

import io.github.auditlake.o365.cursor.StreamId;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** A task's configuration: the connector's, plus the streams assigned to the task and its request budget share. */
public final class O365SourceTaskConfig extends O365SourceConfig {
    public static final String TASK_STREAMS_CONFIG = "o365.task.streams";
    public static final String TASK_REQUESTS_PER_MINUTE_CONFIG = "o365.task.requests.per.minute";
    public static final String TASK_INDEX_CONFIG = "o365.task.index";

    static final ConfigDef TASK_CONFIG_DEF = O365SourceConfig.configDef()
            .define(
                    TASK_STREAMS_CONFIG,
                    Type.LIST,
                    Importance.HIGH,
                    "Streams (tenant|content type) of this task; " + "set by the connector.")
            .define(
                    TASK_INDEX_CONFIG,
                    Type.INT,
                    0,
                    Importance.LOW,
                    "The task's number among the connector's tasks (the key of its health summaries); set by the "
                            + "connector.")
            .define(
                    TASK_REQUESTS_PER_MINUTE_CONFIG,
                    Type.INT,
                    null,
                    ConfigDef.LambdaValidator.with(
                            (name, value) -> {
                                if (value != null && (Integer) value < 1) {
                                    throw new org.apache.kafka.common.config.ConfigException(
                                            name, value, "must be at least 1");
                                }
                            },
                            () -> "empty, or at least 1"),
                    Importance.LOW,
                    "For tests that start a task directly: a fixed request budget per tenant for this task, "
                            + "instead of its share of o365.requests.per.minute. The connector never passes it on "
                            + "from its own configuration: a task it starts always gets its computed share.");

    public O365SourceTaskConfig(Map<?, ?> props) {
        super(TASK_CONFIG_DEF, props);
    }

    /** The key of this task's health summaries: the connector's name and the task's number. */
    public String taskKey() {
        Object name = originals().get("name");
        return (name == null ? "o365" : name.toString()) + "/task-" + getInt(TASK_INDEX_CONFIG);
    }

    public List<StreamId> assignedStreams() {
        return getList(TASK_STREAMS_CONFIG).stream().map(StreamId::decode).toList();
    }

    /**
     * This task's share of a tenant's budget: {@code o365.requests.per.minute} times the fraction of that tenant's
     * streams the task holds. The shares of all tasks add up to at most the budget, per tenant.
     */
    public int requestsPerMinuteFor(String tenant) {
        Integer fixed = getInt(TASK_REQUESTS_PER_MINUTE_CONFIG);
        if (fixed != null) {
            return fixed;
        }
        return share(requestsPerMinute(), tenant);
    }

    /**
     * This task's share of a tenant's daily audit-search budget ({@code o365.history.queries.per.day}, which is per
     * tenant): the budget times the fraction of that tenant's streams the task holds, at least 1. A tenant whose
     * streams are spread over several tasks therefore submits at most its budget a day in all (plus at most one per
     * task when a task's share rounds below 1).
     */
    public int historyQueriesPerDayFor(String tenant) {
        return share(historyQueriesPerDay(), tenant);
    }

    private int share(int perTenant, String tenant) {
        long mine = assignedStreams().stream()
                .filter(s -> s.tenantId().equalsIgnoreCase(tenant))
                .count();
        int all = contentTypes().size();
        return (int) Math.max(1, (long) perTenant * mine / Math.max(1, all));
    }
}
