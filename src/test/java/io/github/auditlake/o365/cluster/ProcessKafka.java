package io.github.auditlake.o365.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft broker (broker + controller) as a separate JVM: {@code StorageTool format --standalone}, then
 * {@code kafka.Kafka}, on free ports, with data and logs under a work directory. Ready when an admin client can
 * describe the cluster.
 */
public final class ProcessKafka implements AutoCloseable {
    private final Path workDir;
    private final int port;
    private final int controllerPort;
    private JavaProcess process;

    private ProcessKafka(Path workDir, int port, int controllerPort) {
        this.workDir = workDir;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /** Formats storage and starts the broker on free ports; waits until it serves requests. */
    public static ProcessKafka start(Path workDir, Duration timeout) {
        int p = Classpaths.freePort();
        int c = Classpaths.freePort();
        while (c == p) {
            c = Classpaths.freePort();
        }
        return start(workDir, p, c, timeout);
    }

    /**
     * Formats storage and starts the broker with the build's Kafka classpath on the given client and controller
     * ports; waits until it serves requests.
     */
    public static ProcessKafka start(Path workDir, int port, int controllerPort, Duration timeout) {
        ProcessKafka k = new ProcessKafka(workDir, port, controllerPort);
        try {
            k.doStart(Paths.get(System.getProperty("java.home")), Classpaths.kafkaRuntime(), timeout);
            return k;
        } catch (RuntimeException e) {
            k.close();
            throw e;
        }
    }

    private void doStart(Path javaHome, List<Path> cp, Duration timeout) {
        try {
            Files.createDirectories(workDir);
            Path data = workDir.resolve("data");
            Classpaths.deleteTree(data);
            Path props = workDir.resolve("server.properties");
            String host = "127.0.0.1";
            Files.writeString(props, String.join("\n",
                    "process.roles=broker,controller",
                    "node.id=1",
                    "controller.quorum.bootstrap.servers=" + host + ":" + controllerPort,
                    "listeners=PLAINTEXT://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort,
                    "advertised.listeners=PLAINTEXT://" + host + ":" + port + ",CONTROLLER://" + host + ":"
                            + controllerPort,
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                    "log.dirs=" + data,
                    "num.partitions=1",
                    "auto.create.topics.enable=false",
                    "offsets.topic.replication.factor=1",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    "") + "\n");
            Path log4j = Log4j.write(workDir);
            List<String> jvm = List.of("-Xmx384m", "-XX:+UseSerialGC", "-Dlog4j2.configurationFile=" + log4j.toUri());
            JavaProcess.run("kafka-storage-format", javaHome, jvm, cp, "kafka.tools.StorageTool",
                    List.of("format", "--standalone", "-t", Uuid.randomUuid().toString(), "-c", props.toString()),
                    workDir.resolve("logs/storage-format.log"), Duration.ofSeconds(60));
            process = JavaProcess.start("kafka-broker", javaHome, jvm, cp, "kafka.Kafka",
                    List.of(props.toString()), workDir.resolve("logs/broker.log"));
            process.awaitReady("broker ready on port " + port, timeout, this::serves);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean serves() {
        try (Admin admin = admin()) {
            admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(p);
    }

    /** Creates a topic (replication factor 1) and waits for the result. */
    public void createTopic(String name, int partitions) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(Map.of())))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + name, e);
        }
    }

    public Path workDir() {
        return workDir;
    }

    public JavaProcess process() {
        return process;
    }

    /** Stops the broker and deletes its data (logs stay in the work directory). */
    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
        Classpaths.deleteTree(workDir.resolve("data"));
    }
}
