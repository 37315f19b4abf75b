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
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft broker (broker + controller) as a separate JVM: {@code StorageTool format --standalone}, then
 * {@code kafka.Kafka}, with data and logs under a work directory. Ready when an admin client can describe the
 * cluster. Without fixed ports, the broker binds port 0 itself and its log reports the port it got; the controller
 * port (which the quorum configuration must name in advance) is picked free and retried if the broker cannot bind it.
 */
public final class ProcessKafka implements AutoCloseable {
    /** Kafka's SocketServer: "Awaiting socket connections on 127.0.0.1:40123." (broker and controller listeners). */
    static final Pattern LISTENING = Pattern.compile("Awaiting socket connections on [^ ]*:(\\d+)");

    private static final int BIND_ATTEMPTS = 3;

    private final Path workDir;
    private volatile int port;
    private final int controllerPort;
    private JavaProcess process;

    private ProcessKafka(Path workDir, int port, int controllerPort) {
        this.workDir = workDir;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /**
     * Formats storage and starts the broker on a port it binds itself (port 0, read back from its log); waits until it
     * serves requests.
     */
    public static ProcessKafka start(Path workDir, Duration timeout) {
        for (int attempt = 1; ; attempt++) {
            try {
                return start(workDir, 0, Classpaths.freePort(), timeout);
            } catch (RuntimeException e) {
                // another process took the controller port between the probe and the broker's bind: try another
                if (attempt >= BIND_ATTEMPTS || !String.valueOf(e.getMessage()).contains("BindException")) {
                    throw e;
                }
            }
        }
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
            Files.writeString(
                    props,
                    String.join(
                                    "\n",
                                    "process.roles=broker,controller",
                                    "node.id=1",
                                    "controller.quorum.bootstrap.servers=" + host + ":" + controllerPort,
                                    "listeners=PLAINTEXT://" + host + ":" + port + ",CONTROLLER://" + host + ":"
                                            + controllerPort,
                                    "advertised.listeners=PLAINTEXT://" + host + ":" + port + ",CONTROLLER://" + host
                                            + ":" + controllerPort,
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
                                    "")
                            + "\n");
            Path log4j = Log4j.write(workDir);
            List<String> jvm = List.of("-Xmx384m", "-XX:+UseSerialGC", "-Dlog4j2.configurationFile=" + log4j.toUri());
            JavaProcess.run(
                    "kafka-storage-format",
                    javaHome,
                    jvm,
                    cp,
                    "kafka.tools.StorageTool",
                    List.of("format", "--standalone", "-t", Uuid.randomUuid().toString(), "-c", props.toString()),
                    workDir.resolve("logs/storage-format.log"),
                    Duration.ofSeconds(60));
            Path log = workDir.resolve("logs/broker.log");
            Files.deleteIfExists(log); // the port is read from this run's log lines
            process =
                    JavaProcess.start("kafka-broker", javaHome, jvm, cp, "kafka.Kafka", List.of(props.toString()), log);
            if (port == 0) {
                long deadline = System.nanoTime() + timeout.toNanos();
                process.awaitReady(
                        "broker port in " + log,
                        timeout,
                        () -> process.logMatches(LISTENING).stream()
                                .mapToInt(Integer::parseInt)
                                .anyMatch(p -> p != controllerPort));
                port = process.logMatches(LISTENING).stream()
                        .mapToInt(Integer::parseInt)
                        .filter(p -> p != controllerPort)
                        .findFirst()
                        .orElseThrow();
                timeout = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            }
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
    /**
     * Creates the topic and waits (at most 30 s) until every partition has a leader: a producer that sends to a
     * fresh topic before its leaders are known can get NOT_LEADER_OR_FOLLOWER and, when idempotent, then loop on
     * OUT_OF_ORDER_SEQUENCE_NUMBER until its batches expire.
     */
    public void createTopic(String name, int partitions) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(Map.of())))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                TopicDescription d = admin.describeTopics(List.of(name))
                        .allTopicNames()
                        .get(30, TimeUnit.SECONDS)
                        .get(name);
                boolean ready = d != null
                        && d.partitions().size() == partitions
                        && d.partitions().stream()
                                .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                if (ready) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topic " + name + " has partitions without a leader after 30 s");
                }
                Thread.sleep(50); // polling the broker's metadata with a deadline, not synchronisation by sleep
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        } catch (IllegalStateException e) {
            throw e;
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

    /** The broker's client port (bound by the broker). */
    public int port() {
        return port;
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
