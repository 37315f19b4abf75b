package io.github.auditlake.o365.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A Kafka Connect worker in distributed mode ({@code ConnectDistributed}) as a separate JVM, with the plugin visible
 * only through {@code plugin.path}. Ready when {@code GET /connectors} answers 200 (the herder has joined its group).
 * The Java home and the classpath are settable, so a worker of another Kafka version can be run.
 */
public final class ProcessConnectWorker implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Connect's RestServer: "REST server listening at http://127.0.0.1:40123/, advertising URL ...". */
    static final Pattern LISTENING = Pattern.compile("REST server listening at http://[^/]*:(\\d+)/");

    private final Builder b;
    private volatile int restPort;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private JavaProcess process;

    private ProcessConnectWorker(Builder b) {
        this.b = b;
        this.restPort = b.restPort; // 0: the worker binds a port itself and its log reports it
    }

    public static Builder builder(Path workDir, String bootstrapServers) {
        return new Builder(workDir, bootstrapServers);
    }

    /** Settings of a worker; every one but the work directory and bootstrap servers has a default. */
    public static final class Builder {
        private final Path workDir;
        private final String bootstrapServers;
        private Path javaHome = Paths.get(System.getProperty("java.home"));
        private List<Path> classpath;
        private Path pluginPath = Classpaths.projectDir().resolve("target/plugin");
        private String groupId = "o365-connect";
        private int restPort;
        private String maxHeap = "-Xmx384m";
        private final Map<String, String> extra = new LinkedHashMap<>();
        private final List<String> jvmArgs = new ArrayList<>();

        private Builder(Path workDir, String bootstrapServers) {
            this.workDir = workDir;
            this.bootstrapServers = bootstrapServers;
        }

        /** JDK/JRE that runs the worker (default: this JVM's). */
        public Builder javaHome(Path javaHome) {
            this.javaHome = javaHome;
            return this;
        }

        /** Worker classpath (default: {@link Classpaths#kafkaRuntime()}, Kafka 4.3.1). */
        public Builder classpath(List<Path> classpath) {
            this.classpath = classpath;
            return this;
        }

        /** {@code plugin.path} (default {@code target/plugin}, the unpacked plugin archive). */
        public Builder pluginPath(Path pluginPath) {
            this.pluginPath = pluginPath;
            return this;
        }

        /** Worker group; also prefixes the internal topics, so several workers can share one broker. */
        public Builder groupId(String groupId) {
            this.groupId = groupId;
            return this;
        }

        /** REST port (default 0: the worker binds a free port itself, read back from its log). */
        public Builder restPort(int restPort) {
            this.restPort = restPort;
            return this;
        }

        /** Maximum heap of the worker JVM, e.g. {@code "256m"} (default 384m). */
        public Builder maxHeap(String size) {
            this.maxHeap = "-Xmx" + size;
            return this;
        }

        /** An extra JVM option of the worker process (e.g. {@code -Xlog:gc:file=...}, JFR). */
        public Builder jvmArg(String arg) {
            jvmArgs.add(arg);
            return this;
        }

        /** Any other worker property. */
        public Builder property(String key, String value) {
            extra.put(key, value);
            return this;
        }

        public ProcessConnectWorker start(Duration timeout) {
            ProcessConnectWorker w = new ProcessConnectWorker(this);
            try {
                w.doStart(timeout);
                return w;
            } catch (RuntimeException e) {
                w.close();
                throw e;
            }
        }
    }

    private void doStart(Duration timeout) {
        List<Path> cp = b.classpath != null ? b.classpath : Classpaths.kafkaRuntime();
        try {
            Files.createDirectories(b.workDir);
            Map<String, String> p = new LinkedHashMap<>();
            p.put("bootstrap.servers", b.bootstrapServers);
            p.put("group.id", b.groupId);
            p.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
            p.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
            p.put("key.converter.schemas.enable", "false");
            p.put("value.converter.schemas.enable", "false");
            p.put("config.storage.topic", b.groupId + "-configs");
            p.put("offset.storage.topic", b.groupId + "-offsets");
            p.put("status.storage.topic", b.groupId + "-status");
            p.put("config.storage.replication.factor", "1");
            p.put("offset.storage.replication.factor", "1");
            p.put("status.storage.replication.factor", "1");
            p.put("offset.flush.interval.ms", "1000");
            p.put("listeners", "http://127.0.0.1:" + restPort);
            p.put("plugin.path", b.pluginPath.toAbsolutePath().toString());
            p.put("exactly.once.source.support", "enabled");
            p.put("config.providers", "file");
            p.put("config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider");
            p.putAll(b.extra);
            StringBuilder sb = new StringBuilder();
            p.forEach((k, v) ->
                    sb.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
            Path props = b.workDir.resolve("connect-distributed.properties");
            Files.writeString(props, sb.toString());
            boolean legacyLogging =
                    cp.stream().anyMatch(j -> j.getFileName().toString().contains("reload4j"));
            List<String> jvm = new ArrayList<>();
            jvm.add(b.maxHeap);
            jvm.add("-XX:+UseSerialGC");
            jvm.addAll(b.jvmArgs);
            if (legacyLogging) {
                jvm.add("-Dlog4j.configuration=" + Log4j.writeLegacy(b.workDir).toUri());
            } else {
                jvm.add("-Dlog4j2.configurationFile=" + Log4j.write(b.workDir).toUri());
            }
            Path log = b.workDir.resolve("logs/connect.log");
            Files.deleteIfExists(log); // the port is read from this run's log lines
            long deadline = System.nanoTime() + timeout.toNanos();
            process = JavaProcess.start(
                    "connect-worker",
                    b.javaHome,
                    jvm,
                    cp,
                    "org.apache.kafka.connect.cli.ConnectDistributed",
                    List.of(props.toString()),
                    log);
            if (restPort == 0) {
                restPort = Integer.parseInt(process.awaitLogLine("REST port in " + log, LISTENING, timeout));
                timeout = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            }
            process.awaitReady("Connect REST API on " + restUrl(), timeout, () -> status("/connectors") == 200);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String restUrl() {
        return "http://127.0.0.1:" + restPort;
    }

    public JavaProcess process() {
        return process;
    }

    /** An HTTP answer of the REST API. */
    public record Response(int status, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(URI.create(restUrl() + path)).GET());
    }

    public Response put(String path, Object body) {
        try {
            return send(HttpRequest.newBuilder(URI.create(restUrl() + path))
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Response delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(restUrl() + path)).DELETE());
    }

    private Response send(HttpRequest.Builder req) {
        try {
            HttpResponse<String> r =
                    http.send(req.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body());
        } catch (IOException e) {
            return new Response(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private int status(String path) {
        return get(path).status();
    }

    /** Class names of the connector plugins the worker found. */
    public List<String> connectorPlugins() {
        Response r = get("/connector-plugins?connectorsOnly=true");
        if (r.status() != 200) {
            throw new IllegalStateException("GET /connector-plugins: " + r);
        }
        List<String> out = new ArrayList<>();
        r.json().forEach(n -> out.add(n.path("class").asText()));
        return out;
    }

    /**
     * {@code PUT /connectors/<name>/config}; retries while the worker answers 409 (rebalance) or 5xx, up to the
     * timeout. Fails on any other error (for example 400 from config validation), with the body.
     */
    public Response putConnector(String name, Map<String, String> config, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Response[] last = new Response[1];
        process.awaitReady("connector " + name + " created", timeout, () -> {
            last[0] = put("/connectors/" + name + "/config", config);
            int s = last[0].status();
            if (s == 200 || s == 201) {
                return true;
            }
            if (s != 409 && s < 500 && s != -1 || System.nanoTime() > deadline) {
                throw new IllegalStateException("PUT /connectors/" + name + "/config: " + last[0]);
            }
            return false;
        });
        return last[0];
    }

    /** Waits until the connector and at least one task are RUNNING; fails fast when any is FAILED. */
    public void awaitRunning(String name, Duration timeout) {
        process.awaitReady("connector " + name + " RUNNING", timeout, () -> {
            Response r = get("/connectors/" + name + "/status");
            if (r.status() != 200) {
                return false;
            }
            JsonNode s = r.json();
            if ("FAILED".equals(s.path("connector").path("state").asText())) {
                throw new IllegalStateException("connector " + name + " FAILED: " + r.body());
            }
            boolean running = "RUNNING".equals(s.path("connector").path("state").asText())
                    && s.path("tasks").size() > 0;
            for (JsonNode t : s.path("tasks")) {
                if ("FAILED".equals(t.path("state").asText())) {
                    throw new IllegalStateException("task of " + name + " FAILED: " + r.body());
                }
                running &= "RUNNING".equals(t.path("state").asText());
            }
            return running;
        });
    }

    /** {@code DELETE /connectors/<name>}; true when the worker confirmed (204) or the connector was absent. */
    public boolean deleteConnector(String name) {
        int s = delete("/connectors/" + name).status();
        return s == 204 || s == 404;
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
    }
}
