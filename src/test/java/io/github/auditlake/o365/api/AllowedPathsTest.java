package io.github.auditlake.o365.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker operator's list of directories files may be read from (O365_ALLOWED_PATHS / -Do365.allowed.paths): what
 * it lets through, what it refuses, and that a refusal says nothing about a file outside it.
 */
class AllowedPathsTest {
    static final String KEY = "o365.tls.ca.pem.path";

    @TempDir
    Path dir;

    Path allowed;
    Path outside;

    Path setUp() throws Exception {
        allowed = Files.createDirectories(dir.resolve("allowed"));
        outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(allowed.resolve("ca.pem"), "in", StandardCharsets.US_ASCII);
        Files.writeString(outside.resolve("connect.log"), "secret", StandardCharsets.US_ASCII);
        return allowed;
    }

    static String refusal(AllowedPaths p, String file) {
        return assertThrows(IllegalArgumentException.class, () -> p.read(KEY, file))
                .getMessage();
    }

    @Test
    void unsetAllowsNoFile() throws Exception {
        setUp();
        AllowedPaths none = AllowedPaths.from(k -> null, k -> null);
        String m = refusal(none, allowed.resolve("ca.pem").toString());
        assertTrue(m.startsWith(KEY + " is not in a directory the worker allows"), m);
        assertTrue(m.contains("O365_ALLOWED_PATHS") && m.contains("-Do365.allowed.paths"), m);
    }

    @Test
    void aFileInAnAllowedDirectoryIsRead() throws Exception {
        setUp();
        AllowedPaths p = AllowedPaths.of(allowed.toString());
        assertArrayEquals(
                "in".getBytes(StandardCharsets.US_ASCII),
                p.read(KEY, allowed.resolve("ca.pem").toString()));
    }

    @Test
    void theRefusalIsTheSameWhetherTheFileExistsOrNot() throws Exception {
        setUp();
        AllowedPaths p = AllowedPaths.of(allowed.toString());
        String existing = refusal(p, outside.resolve("connect.log").toString());
        String missing = refusal(p, outside.resolve("no-such-file").toString());
        String device = refusal(p, "/dev/zero");
        String relative = refusal(p, "connect.log");
        assertEquals(existing, missing);
        assertEquals(existing, device);
        assertEquals(existing, relative);
        assertFalse(existing.contains(outside.toString()), existing);
    }

    @Test
    void neitherDotDotNorASymbolicLinkLeadsOut() throws Exception {
        setUp();
        AllowedPaths p = AllowedPaths.of(allowed.toString());
        String expected = refusal(p, outside.resolve("connect.log").toString());
        assertEquals(
                expected, refusal(p, allowed.resolve("../outside/connect.log").toString()));
        Path link = Files.createSymbolicLink(allowed.resolve("link.pem"), outside.resolve("connect.log"));
        assertEquals(expected, refusal(p, link.toString()));
        Path dirLink = Files.createSymbolicLink(allowed.resolve("sub"), outside);
        assertEquals(expected, refusal(p, dirLink.resolve("connect.log").toString()));
    }

    @Test
    void aSymbolicLinkToAnAllowedDirectoryIsFollowed() throws Exception {
        setUp();
        Path link = Files.createSymbolicLink(dir.resolve("secrets"), allowed);
        AllowedPaths p = AllowedPaths.of(link.toString());
        assertEquals(2, p.read(KEY, link.resolve("ca.pem").toString()).length);
        assertEquals(2, p.read(KEY, allowed.resolve("ca.pem").toString()).length);
    }

    @Test
    void thePropertyWinsOverTheEnvironment() throws Exception {
        setUp();
        Map<String, String> props = Map.of(AllowedPaths.PROPERTY, allowed.toString());
        Map<String, String> env = Map.of(AllowedPaths.ENV, outside.toString());
        AllowedPaths p = AllowedPaths.from(props::get, env::get);
        assertEquals(2, p.read(KEY, allowed.resolve("ca.pem").toString()).length);
        refusal(p, outside.resolve("connect.log").toString());
        AllowedPaths envOnly = AllowedPaths.from(k -> null, env::get);
        assertEquals(6, envOnly.read(KEY, outside.resolve("connect.log").toString()).length);
    }

    @Test
    void aRelativeOrMissingEntryIsAnOperatorError() throws Exception {
        setUp();
        String file = allowed.resolve("ca.pem").toString();
        String relative = refusal(AllowedPaths.of(allowed + ",secrets"), file);
        assertTrue(relative.contains("'secrets' is not an absolute path"), relative);
        String missing = refusal(AllowedPaths.of(dir.resolve("gone").toString()), file);
        assertTrue(missing.contains("does not exist"), missing);
        assertTrue(missing.contains("O365_ALLOWED_PATHS"), missing);
    }

    @Test
    void theWorkersFederatedTokenFileIsAlwaysAllowed() throws Exception {
        setUp();
        Path token = outside.resolve("connect.log");
        AllowedPaths p =
                AllowedPaths.from(k -> null, Map.of(AllowedPaths.FEDERATED_TOKEN_FILE_ENV, token.toString())::get);
        assertEquals(6, p.read("o365.client.assertion.file", token.toString()).length);
        refusal(p, allowed.resolve("ca.pem").toString());
    }

    /** On main, /dev/zero as a CA file hung validate() forever: the read must end, with a refusal. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void devicesAreNeverRead() {
        String m = refusal(AllowedPaths.of("/dev"), "/dev/zero");
        assertTrue(m.contains("is not a regular file"), m);
        assertTrue(refusal(AllowedPaths.ANY, "/dev/zero").contains("is not a regular file"));
        assertTrue(refusal(AllowedPaths.of("/proc"), "/proc/self/environ").contains("is not a regular file"));
        assertTrue(refusal(AllowedPaths.ANY, "/proc/self/status").contains("is not a regular file"));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFifoIsNeverOpened() throws Exception {
        setUp();
        Path fifo = allowed.resolve("fifo.pem");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertTrue(mk.waitFor(30, TimeUnit.SECONDS) && mk.exitValue() == 0, "mkfifo");
        String m = refusal(AllowedPaths.of(allowed.toString()), fifo.toString());
        assertTrue(m.contains("is not a regular file"), m);
    }

    @Test
    void aFileOverTheCapIsRefused() throws Exception {
        setUp();
        Path big = allowed.resolve("big.pem");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(AllowedPaths.MAX_FILE_BYTES + 1L); // sparse: no disk used
        }
        String m = refusal(AllowedPaths.of(allowed.toString()), big.toString());
        assertTrue(m.contains("larger than " + AllowedPaths.MAX_FILE_BYTES), m);
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(AllowedPaths.MAX_FILE_BYTES);
        }
        assertEquals(
                AllowedPaths.MAX_FILE_BYTES, AllowedPaths.of(allowed.toString()).read(KEY, big.toString()).length);
    }

    @Test
    void theOperatorsToolReadsAnyDirectory() throws Exception {
        setUp();
        assertEquals(
                6, AllowedPaths.ANY.read(KEY, outside.resolve("connect.log").toString()).length);
    }
}
