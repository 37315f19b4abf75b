package io.github.auditlake.o365.config;

import static io.github.auditlake.o365.config.ConfigValidatorSecurityTest.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ApiException;
import io.github.auditlake.o365.api.EndpointAllowList;
import io.github.auditlake.o365.api.ErrorKind;
import io.github.auditlake.o365.api.StubServer;
import io.github.auditlake.o365.api.StubServer.Reply;
import io.github.auditlake.o365.auth.SignInException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

/**
 * An endpoint nothing answers on fails {@code validate()} on the field that names it (instead of a connector that
 * stays RUNNING and retries forever); a reachable service that answers a transient error is accepted.
 */
class ConfigValidatorReachabilityTest {
    static final String TOKEN = "{\"token_type\":\"Bearer\",\"expires_in\":3599,\"access_token\":\"eyJ0.t\"}";

    /** A loopback port nothing listens on: bound, then closed. */
    static String closedPortUrl() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return "http://127.0.0.1:" + s.getLocalPort();
        }
    }

    static Map<String, List<String>> validate(Map<String, String> p, DefaultApiFactoryLike f) {
        Config base = new Config(O365SourceConfig.CONFIG_DEF.validate(p));
        Config out = new ConfigValidator(f.factory(), EndpointAllowList.of("*")).validate(p, base);
        Map<String, List<String>> m = new HashMap<>();
        for (ConfigValue v : out.configValues()) {
            if (!v.errorMessages().isEmpty()) {
                m.put(v.name(), v.errorMessages());
            }
        }
        return m;
    }

    interface DefaultApiFactoryLike {
        io.github.auditlake.o365.config.ApiFactory factory();
    }

    static final DefaultApiFactoryLike REAL = DefaultApiFactory::new;

    @Test
    void anUnreachableLoginUrlIsAnErrorOnTheLoginUrl() throws Exception {
        String closed = closedPortUrl();
        try (StubServer api = new StubServer()) {
            Map<String, List<String>> e = validate(props(closed, api.baseUrl()), REAL);
            assertEquals(Set.of("o365.login.url"), e.keySet(), e.toString());
            String m = e.get("o365.login.url").get(0);
            assertTrue(m.contains("Cannot reach " + closed) && m.contains("connection refused"), m);
        }
    }

    @Test
    void anUnreachableApiUrlIsAnErrorOnTheApiUrl() throws Exception {
        String closed = closedPortUrl();
        try (StubServer login = new StubServer()) {
            login.handler((ex, r) -> StubServer.send(ex, Reply.json(200, TOKEN)));
            Map<String, List<String>> e = validate(props(login.baseUrl(), closed), REAL);
            assertEquals(Set.of("o365.api.url"), e.keySet(), e.toString());
            String m = e.get("o365.api.url").get(0);
            assertTrue(m.contains("Cannot reach " + closed) && m.contains("connection refused"), m);
        }
    }

    @Test
    void withoutAnOverrideTheErrorNamesTheDefaultHostOnTheField() {
        // a fake client that fails as an unreachable default login host would, without any network
        DefaultApiFactoryLike unreachable = () -> (config, rpm, forValidation) -> {
            throw new SignInException(
                    ErrorKind.TRANSIENT,
                    "Sign-in to https://login.microsoftonline.com/t/ failed: "
                            + "the login endpoint could not be reached",
                    new java.net.UnknownHostException("login.microsoftonline.com"));
        };
        Map<String, List<String>> e = validate(props(null, null), unreachable);
        assertEquals(Set.of("o365.login.url"), e.keySet(), e.toString());
        String m = e.get("o365.login.url").get(0);
        assertTrue(m.contains("https://login.microsoftonline.com") && m.contains("unknown host"), m);
    }

    @Test
    void aTransientAnswerFromAReachableServiceIsAccepted() throws Exception {
        try (StubServer login = new StubServer();
                StubServer api = new StubServer()) {
            login.handler((ex, r) -> StubServer.send(ex, Reply.json(200, TOKEN)));
            api.handler((ex, r) -> StubServer.send(
                    ex, Reply.json(503, "{\"error\":{\"code\":\"AF50000\"," + "\"message\":\"busy\"}}")));
            Map<String, List<String>> e = validate(props(login.baseUrl(), api.baseUrl()), REAL);
            assertEquals(Map.of(), e, "a 503 from a reachable service is accepted (with a WARN)");
            assertTrue(!api.requests().isEmpty(), "the API was called");
        }
    }

    @Test
    void onlyConnectFailuresCountAsUnreachable() {
        assertTrue(ConfigValidator.isUnreachable(
                new ApiException(ErrorKind.TRANSIENT, "x", new ConnectException("Connection refused"))));
        assertTrue(ConfigValidator.isUnreachable(
                new ApiException(ErrorKind.TRANSIENT, "x", new java.net.SocketTimeoutException("Connect timed out"))));
        assertTrue(!ConfigValidator.isUnreachable(
                new ApiException(ErrorKind.TRANSIENT, "x", new java.net.SocketTimeoutException("Read timed out"))));
        assertTrue(!ConfigValidator.isUnreachable(
                new ApiException(ErrorKind.TRANSIENT, 503, "AF50000", "busy", null, null, null)));
    }
}
