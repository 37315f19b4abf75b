package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.settings.Catalogue;
import io.github.auditlake.o365.settings.ClientMapping;
import io.github.auditlake.o365.settings.CollectionSettings;
import io.github.auditlake.o365.settings.HttpSettings;
import io.github.auditlake.o365.settings.Setting;
import io.github.auditlake.o365.settings.Validity;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Option;

/** The CLI reads the connector's settings: the catalogue's keys, defaults and ranges, never its own copies. */
class CliCatalogueTest {
    private final CliHarness cli = new CliHarness(CliHarness.tenant(1));

    @AfterEach
    void stop() {
        cli.close();
    }

    @Test
    void everySettingReadFromConfigIsTheCataloguesOwnOnce() {
        Map<String, Integer> count = new HashMap<>();
        for (Setting<?> s : CliSettings.FILE_SETTINGS) {
            assertSame(Catalogue.byKey(s.key()).orElseThrow(), s, s.key());
            count.merge(s.key(), 1, Integer::sum);
        }
        count.forEach((k, n) -> assertEquals(1, n, k));
    }

    @Test
    void theExportsDefaultsAndRangesAreTheConnectors() throws Exception {
        assertEquals(CollectionSettings.BUFFER_MAX_BYTES.defaultValue(), ExportCommand.BUFFER_MAX_BYTES);
        Option concurrency = ExportCommand.class.getDeclaredField("concurrency").getAnnotation(Option.class);
        assertEquals(String.valueOf(CollectionSettings.FETCH_CONCURRENCY.defaultValue()), concurrency.defaultValue());
        Validity.Range r = (Validity.Range) CollectionSettings.FETCH_CONCURRENCY.validity();
        CliHarness.Run over = cli.run(
                "export", "--content-type", "exchange", "--start", "-1h", "--concurrency", String.valueOf(r.max() + 1));
        assertEquals(2, over.code(), over.toString());
        assertTrue(over.err().contains("--concurrency must be " + r.min() + ".." + r.max()), over.toString());
    }

    @Test
    void aProxyWithoutAPortIsTheSamePortInBothFrontEnds() {
        CliSettings.Proxy p =
                CliSettings.parseProxy(new CliSettings.Value("http://proxy.example", "--proxy"), null, null);
        assertEquals(ClientMapping.DEFAULT_PROXY_PORT, p.port());
        assertEquals(ClientMapping.DEFAULT_PROXY_PORT, ClientMapping.proxyPort(URI.create("http://proxy.example")));
        assertEquals(3128, ClientMapping.DEFAULT_PROXY_PORT);
    }

    @Test
    void aRequestBudgetOutsideTheConnectorsRangeIsRefusedFromConfig(@TempDir Path dir) throws Exception {
        Validity.Range r = (Validity.Range) HttpSettings.REQUESTS_PER_MINUTE.validity();
        Path config = dir.resolve("c.properties");
        Files.writeString(config, HttpSettings.REQUESTS_PER_MINUTE.key() + "=" + (r.max() + 1) + "\n");
        CliHarness.Run run = cli.run("subscriptions", "list", "--config", config.toString());
        assertEquals(2, run.code(), run.toString());
        assertTrue(
                run.err().contains(HttpSettings.REQUESTS_PER_MINUTE.key() + " must be " + r.min() + ".." + r.max()),
                run.toString());
    }
}
