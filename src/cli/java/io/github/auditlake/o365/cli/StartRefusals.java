package io.github.auditlake.o365.cli;

import io.github.auditlake.o365.api.ContentType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/**
 * Remembers, per tenant and content type, when the next start is allowed after a start the API refused by its
 * 15-minute rule, so that {@code doctor} gives the same time as the refused {@code subscriptions start}. A small
 * properties file in {@code $O365_AUDIT_STATE_DIR}, else {@code $XDG_STATE_HOME/o365-audit}, else
 * {@code ~/.local/state/o365-audit}; nothing is remembered when none can be written. Holds no secrets.
 */
final class StartRefusals {
    static final String ENV_STATE_DIR = "O365_AUDIT_STATE_DIR";
    static final String FILE = "start-refusals.properties";

    private StartRefusals() {}

    static Optional<Path> file(CliContext ctx) {
        String dir = ctx.env().get(ENV_STATE_DIR);
        if (dir == null || dir.isBlank()) {
            String xdg = ctx.env().get("XDG_STATE_HOME");
            String home = ctx.env().get("HOME");
            if (xdg != null && !xdg.isBlank()) {
                dir = Path.of(xdg, "o365-audit").toString();
            } else if (home != null && !home.isBlank()) {
                dir = Path.of(home, ".local", "state", "o365-audit").toString();
            } else {
                return Optional.empty();
            }
        }
        return Optional.of(Path.of(dir).resolve(FILE));
    }

    private static String key(String tenant, ContentType type) {
        return tenant.toLowerCase(Locale.ROOT) + "." + type.wireName();
    }

    /** Records that the next start of {@code type} is allowed at {@code nextAllowed}; failures are only logged. */
    static void record(CliContext ctx, String tenant, ContentType type, Instant nextAllowed) {
        file(ctx).ifPresent(f -> {
            try {
                Properties p = load(f);
                p.setProperty(key(tenant, type), nextAllowed.toString());
                Files.createDirectories(f.getParent());
                Path tmp = f.resolveSibling(FILE + ".tmp");
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    p.store(out, "o365-audit: next start allowed after a start refused by the 15-minute rule");
                }
                Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | RuntimeException e) {
                ctx.debug("could not remember the refused start in " + f + ": " + e.getMessage());
            }
        });
    }

    /** When the next start of {@code type} is allowed, if a refused start said so and that time is still ahead. */
    static Optional<Instant> nextAllowed(CliContext ctx, String tenant, ContentType type) {
        Optional<Path> f = file(ctx);
        if (f.isEmpty() || !Files.isRegularFile(f.get())) {
            return Optional.empty();
        }
        try {
            String v = load(f.get()).getProperty(key(tenant, type));
            if (v == null) {
                return Optional.empty();
            }
            Instant t = Instant.parse(v.trim());
            return t.isAfter(ctx.clock().instant()) ? Optional.of(t) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Properties load(Path f) throws IOException {
        Properties p = new Properties();
        if (Files.isRegularFile(f)) {
            try (InputStream in = Files.newInputStream(f)) {
                p.load(in);
            }
        }
        return p;
    }
}
