package io.github.auditlake.o365.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.testkit.FakeManagementApi;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export --output FILE}: audit records are personal data, so the file (and its {@code FILE.part}) is created
 * owner-only (0600), and a symbolic link at either name is refused rather than written through.
 */
class ExportOutputFileTest {
    private static final String VICTIM_TEXT = "someone else's file\n";

    private final CliHarness cli = new CliHarness(CliHarness.tenant(1));

    @BeforeEach
    void serveOneBlob(@TempDir Path dir) {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX file modes");
        FakeManagementApi fake = new FakeManagementApi(CliHarness.TENANT, cli.clock);
        fake.startSubscription(ContentType.EXCHANGE, null);
        Instant created = CliHarness.NOW.minus(Duration.ofHours(2));
        fake.addBlob(ContentType.EXCHANGE, created, created, 3);
        cli.apiFactory = s -> fake;
    }

    @AfterEach
    void stop() {
        cli.close();
    }

    private CliHarness.Run export(Path out) {
        return cli.run("export", "--content-type", "exchange", "--start", "-3h", "--output", out.toString());
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void theOutputIsCreatedReadableByItsOwnerOnlyAndReplacesAnOpenFile(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("audit.jsonl");
        CliHarness.Run r = export(out);
        assertEquals(0, r.code(), r.toString());
        assertEquals(3, Files.readAllLines(out).size());
        assertEquals("rw-------", mode(out));

        // an earlier export's world-readable file and a part file left by a failed run are replaced, owner-only
        Path again = dir.resolve("again.jsonl");
        Files.writeString(again, "old\n");
        Files.setPosixFilePermissions(again, PosixFilePermissions.fromString("rw-r--r--"));
        Path part = dir.resolve("again.jsonl.part");
        Files.writeString(part, "partial\n");
        Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("rw-rw-rw-"));
        CliHarness.Run second = export(again);
        assertEquals(0, second.code(), second.toString());
        assertEquals(3, Files.readAllLines(again).size());
        assertEquals("rw-------", mode(again));
        assertFalse(Files.exists(part, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aSymbolicLinkAtTheOutputOrItsPartFileIsRefusedAndItsTargetIsUntouched(@TempDir Path dir) throws Exception {
        Path victim = dir.resolve("victim.txt");
        Files.writeString(victim, VICTIM_TEXT);

        Path out = dir.resolve("audit.jsonl");
        Files.createSymbolicLink(out, victim);
        CliHarness.Run r = export(out);
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--output " + out + " is a symbolic link"), r.toString());
        assertEquals(VICTIM_TEXT, Files.readString(victim));
        assertTrue(Files.isSymbolicLink(out), "the link is left as it was");

        Path other = dir.resolve("other.jsonl");
        Path part = dir.resolve("other.jsonl.part");
        Files.createSymbolicLink(part, victim);
        CliHarness.Run viaPart = export(other);
        assertEquals(2, viaPart.code(), viaPart.toString());
        assertTrue(viaPart.err().contains(part + " is a symbolic link"), viaPart.toString());
        assertEquals(VICTIM_TEXT, Files.readString(victim));
        assertFalse(Files.exists(other, LinkOption.NOFOLLOW_LINKS));

        Path dangling = dir.resolve("dangling.jsonl");
        Files.createSymbolicLink(dangling, dir.resolve("would-be-created.txt"));
        assertEquals(2, export(dangling).code());
        assertFalse(Files.exists(dir.resolve("would-be-created.txt")));
    }
}
