package io.github.auditlake.o365.history;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.api.Sleeper;
import io.github.auditlake.o365.client.ClientSettings;
import io.github.auditlake.o365.simulator.AppSpec;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import io.github.auditlake.o365.simulator.SimClock;
import io.github.auditlake.o365.simulator.TenantSpec;
import io.github.auditlake.o365.simulator.Volume;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A simulated tenant with 40 days of content, a stopped clock, and a sleeper that moves the clock instead. */
final class HistorySimulator implements AutoCloseable {
    static final String TENANT = "7d3c1a2b-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
    static final String CLIENT = "6f1c2a4e-0b3d-4c5e-9a7f-1e2d3c4b5a69";
    static final String SECRET = "s3cret~value";
    static final Instant NOW = Instant.parse("2024-03-01T12:00:00Z");

    final SimClock clock = SimClock.fixed(NOW);
    final List<Duration> sleeps = new ArrayList<>();
    final Sleeper sleeper = d -> {
        synchronized (sleeps) {
            sleeps.add(d);
        }
        clock.advance(d);
    };
    final ManagementApiSimulator sim;

    HistorySimulator(AppSpec app) {
        sim = ManagementApiSimulator.builder()
                .clock(clock)
                .tenant(TenantSpec.of(TENANT)
                        .app(app)
                        .subscribedAll(true)
                        .volumeAll(Volume.of(1, 3))
                        .volume(ContentType.EXCHANGE, Volume.of(2, 4))
                        .duplicates(0.2)
                        .backfill(Duration.ofDays(40)))
                .build()
                .start();
    }

    HistorySimulator() {
        this(AppSpec.of(CLIENT).secret(SECRET));
    }

    ClientSettings settings() {
        return ClientSettings.builder()
                .tenantId(TENANT)
                .clientId(CLIENT)
                .clientSecret(SECRET)
                .apiBaseUrl(sim.baseUrl())
                .loginBaseUrl(sim.baseUrl())
                .clock(clock)
                .sleeper(sleeper)
                .random(new Random(3))
                .retry(5, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(5))
                .build();
    }

    @Override
    public void close() {
        sim.close();
    }
}
