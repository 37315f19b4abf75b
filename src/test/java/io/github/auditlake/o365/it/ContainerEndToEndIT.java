package io.github.auditlake.o365.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.Volume;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.MountableFile;

/**
 * The end-to-end test with Kafka and Connect in containers and the unpacked plugin mounted into the worker's
 * plugin.path. Runs where a Docker engine exists (Linux: the Connect container uses host networking, so the
 * simulator on this JVM's loopback is reachable over plain http); skipped cleanly where none does.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerEndToEndIT {
    static final String IMAGE = "apache/kafka:4.1.1";
    static final String TENANT = "33333333-4444-4555-8666-777777777701";

    @Test
    void deliversEverySimulatedRecordThroughAContainerizedWorker() throws Exception {
        Path plugin = Path.of(System.getProperty("project.basedir", "."), "target", "plugin");
        assertTrue(Files.isDirectory(plugin), "run after package: " + plugin);
        try (KafkaContainer kafka = new KafkaContainer(IMAGE);
                ManagementApiSimulator sim =
                        ClusterSupport.simulator(TENANT, Volume.of(3, 10), Duration.ofHours(3), 0)) {
            kafka.start();
            String bootstrap = kafka.getBootstrapServers().replace("PLAINTEXT://", "");
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                admin.createTopics(java.util.List.of(new NewTopic("audit-container", 1, (short) 1)))
                        .all()
                        .get();
            }
            String props = String.join(
                    "\n",
                    "bootstrap.servers=" + bootstrap,
                    "group.id=o365-container",
                    "key.converter=org.apache.kafka.connect.storage.StringConverter",
                    "value.converter=org.apache.kafka.connect.storage.StringConverter",
                    "config.storage.topic=c-configs",
                    "offset.storage.topic=c-offsets",
                    "status.storage.topic=c-status",
                    "config.storage.replication.factor=1",
                    "offset.storage.replication.factor=1",
                    "status.storage.replication.factor=1",
                    "offset.flush.interval.ms=1000",
                    "listeners=http://127.0.0.1:18093",
                    "plugin.path=/plugins");
            Path propsFile = Files.createTempFile("connect", ".properties");
            Files.writeString(propsFile, props);
            try (GenericContainer<?> worker = new GenericContainer<>(IMAGE)
                    .withNetworkMode("host")
                    .withCopyFileToContainer(MountableFile.forHostPath(plugin), "/plugins")
                    .withCopyFileToContainer(MountableFile.forHostPath(propsFile), "/tmp/connect.properties")
                    .withCommand("/opt/kafka/bin/connect-distributed.sh", "/tmp/connect.properties")
                    .waitingFor(Wait.forLogMessage(".*Finished starting connectors and tasks.*", 1)
                            .withStartupTimeout(Duration.ofMinutes(3)))) {
                worker.start();
                Instant t0 = Instant.now();
                Map<String, String> cfg = ClusterSupport.connector(sim, TENANT, "audit-container", Duration.ofHours(3));
                String json = cfg.entrySet().stream()
                        .map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"")
                        .collect(Collectors.joining(",", "{", "}"));
                HttpResponse<String> put = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:18093/connectors/container/config"))
                                        .header("Content-Type", "application/json")
                                        .PUT(HttpRequest.BodyPublishers.ofString(json))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertEquals(201, put.statusCode(), put.body());
                ClusterSupport.awaitAllDelivered(
                        sim,
                        TENANT,
                        t0.minus(Duration.ofHours(3)).plus(Duration.ofMinutes(5)),
                        t0,
                        bootstrap,
                        "audit-container",
                        false,
                        Duration.ofMinutes(3));
            }
        }
    }
}
