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

    static final ConfigDef TASK_CONFIG_DEF = O365SourceConfig.configDef()
            .define(TASK_STREAMS_CONFIG, Type.LIST, Importance.HIGH, "Streams (tenant|content type) of this task; "
                    + "set by the connector.")
            .define(TASK_REQUESTS_PER_MINUTE_CONFIG, Type.INT, Importance.LOW, "This task's share of "
                    + "o365.requests.per.minute; set by the connector.");

    public O365SourceTaskConfig(Map<?, ?> props) {
        super(TASK_CONFIG_DEF, props);
    }

    public List<StreamId> assignedStreams() {
        return getList(TASK_STREAMS_CONFIG).stream().map(StreamId::decode).toList();
    }

    public int taskRequestsPerMinute() {
        return getInt(TASK_REQUESTS_PER_MINUTE_CONFIG);
    }
}
