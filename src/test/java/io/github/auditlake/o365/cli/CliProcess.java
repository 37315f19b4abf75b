package io.github.auditlake.o365.cli;

import io.github.auditlake.o365.api.Sleeper;
import io.github.auditlake.o365.client.ManagementApis;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Random;

/**
 * Runs the CLI in this JVM as the real process does (wall clock, real sleeps, the real API client), with a given
 * environment instead of the process's: for end-to-end tests outside this package (a connector on a real cluster, then
 * {@code o365-audit verify} over what it wrote).
 */
public final class CliProcess {
    private CliProcess() {}

    /** What a run printed and its exit code. */
    public record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
        }
    }

    public static Result run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliContext ctx = new CliContext(
                out, err, env, Clock.systemUTC(), Sleeper.SYSTEM, new Random(), false, ManagementApis::create);
        int code = Main.run(args, ctx);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
