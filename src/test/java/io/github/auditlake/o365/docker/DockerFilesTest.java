package io.github.auditlake.o365.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.github.auditlake.o365.cluster.Classpaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Docker files, read (no Docker engine in the build): the compose file parses, the simulator is reachable as
 * published, nothing depends on the host's build or Maven cache, base images are pinned, the build context is lean.
 */
class DockerFilesTest {
    static final Path DIR = Classpaths.projectDir().resolve("docker");

    static JsonNode compose() throws Exception {
        return new ObjectMapper(new YAMLFactory())
                .readTree(DIR.resolve("compose.yaml").toFile());
    }

    @Test
    void theSimulatorListensOnAllInterfacesInTheConnectContainersNetwork() throws Exception {
        JsonNode sim = compose().path("services").path("simulator");
        List<String> cmd = new ArrayList<>();
        sim.path("command").forEach(n -> cmd.add(n.asText()));
        int bind = cmd.indexOf("--bind");
        assertTrue(bind >= 0 && "0.0.0.0".equals(cmd.get(bind + 1)), "simulator command " + cmd);
        assertEquals("service:connect", sim.path("network_mode").asText());
        List<String> published = new ArrayList<>();
        compose().path("services").path("connect").path("ports").forEach(n -> published.add(n.asText()));
        assertTrue(
                published.contains("127.0.0.1:8365:8365"),
                "the simulator's port is published by connect, on loopback: " + published);
    }

    @Test
    void portsArePublishedOnLoopbackOnlyAndEveryServiceHasAHealthcheck() throws Exception {
        compose().path("services").forEach(s -> {
            s.path("ports")
                    .forEach(p -> assertTrue(
                            p.asText().startsWith("127.0.0.1:"), "published on every interface: " + p.asText()));
            assertTrue(s.path("healthcheck").path("test").isArray(), "no healthcheck: " + s);
        });
        assertEquals(
                "service_healthy",
                compose()
                        .path("services")
                        .path("simulator")
                        .path("depends_on")
                        .path("connect")
                        .path("condition")
                        .asText());
    }

    @Test
    void theImageBuildDoesNotCompileTheTests() throws Exception {
        String dockerfile = Files.readString(DIR.resolve("Dockerfile"));
        Matcher m = Pattern.compile("(?m)^RUN\\s+\\./mvnw\\b(.*)$").matcher(dockerfile);
        assertTrue(m.find(), dockerfile);
        assertTrue(m.group(1).contains("-Dmaven.test.skip=true"), "tests compiled in the image: " + m.group());
    }

    @Test
    void theConnectWorkerKeepsTheEndpointAllowList() throws Exception {
        JsonNode env = compose().path("services").path("connect").path("environment");
        assertTrue(env.path("O365_ENDPOINT_OVERRIDE_HOSTS").asText().contains("127.0.0.1:8365"), env.toString());
    }

    /**
     * The compose file sets no allowed directories (O365_ALLOWED_PATHS): the connector configuration it comes with
     * names no file, so none needs to be read (docker/README says what to add for a mounted certificate).
     */
    @Test
    void theSimulatorConfigurationNamesNoFileSoNoDirectoryIsAllowed() throws Exception {
        JsonNode env = compose().path("services").path("connect").path("environment");
        assertTrue(env.path("O365_ALLOWED_PATHS").isMissingNode(), env.toString());
        JsonNode config = new ObjectMapper()
                .readTree(DIR.resolve("o365-simulator-connector.json").toFile());
        for (String key : List.of(
                "o365.client.certificate.path",
                "o365.tls.ca.pem.path",
                "o365.tls.truststore.path",
                "o365.client.assertion.file")) {
            assertTrue(config.path(key).isMissingNode(), key);
        }
    }

    @Test
    void nothingDependsOnTheHostsBuildOrMavenCache() throws Exception {
        String compose = String.join(
                "\n",
                Files.readAllLines(DIR.resolve("compose.yaml")).stream()
                        .filter(l -> !l.trim().startsWith("#"))
                        .toList());
        assertFalse(
                compose.contains(".m2") || compose.contains("${HOME}") || compose.contains("test-classpath"),
                "compose.yaml mounts host paths");
        compose().path("services").forEach(s -> assertTrue(s.path("volumes").isMissingNode(), "volumes: " + s));
        String dockerfile = Files.readString(DIR.resolve("Dockerfile"));
        assertFalse(
                Pattern.compile("(?m)^COPY\\s+target/").matcher(dockerfile).find(),
                "the Dockerfile copies a host build");
        assertTrue(dockerfile.contains("./mvnw"), "built inside the image with the Maven Wrapper");
        for (String target : List.of("connect", "simulator")) {
            assertTrue(
                    Pattern.compile("(?mi)^FROM\\s+\\S+\\s+AS\\s+" + target + "\\s*$")
                            .matcher(dockerfile)
                            .find(),
                    "stage " + target);
        }
    }

    @Test
    void baseImagesArePinnedToAnExactVersion() throws Exception {
        Matcher m = Pattern.compile("(?m)^FROM\\s+(\\S+)").matcher(Files.readString(DIR.resolve("Dockerfile")));
        List<String> images = new ArrayList<>();
        while (m.find()) {
            images.add(m.group(1));
        }
        compose().path("services").forEach(s -> {
            if (s.has("image")) {
                images.add(s.path("image").asText());
            }
        });
        assertFalse(images.isEmpty());
        for (String image : images) {
            assertTrue(
                    image.matches(".+@sha256:[0-9a-f]{64}") || image.matches("[^:@]+:\\d+\\.\\d+\\.\\d+[^:@]*"),
                    "not pinned to a digest or an exact x.y.z tag: " + image);
        }
    }

    @Test
    void theBuildContextLeavesOutGitAndRunData() throws Exception {
        List<String> ignored = Files.readAllLines(Classpaths.projectDir().resolve(".dockerignore")).stream()
                .map(String::trim)
                .toList();
        for (String p : List.of(".git", "target/quickstart", "target/**/data")) {
            assertTrue(ignored.contains(p), ".dockerignore lacks " + p);
        }
    }
}
