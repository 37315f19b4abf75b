package io.github.auditlake.o365.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Files the CLI writes audit records to. Audit records name people, addresses and documents, so a file is created
 * readable and writable by its owner only (mode 0600 on POSIX file systems, set when the file is created, never
 * widened first and narrowed later), and the CLI never writes through a symbolic link: a link planted where the output
 * goes could otherwise make it overwrite any file the operator can write.
 */
final class OutputFiles {
    /** {@code rw-------}. */
    static final Set<PosixFilePermission> OWNER_ONLY =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    private OutputFiles() {}

    /** A usage error when {@code file} is a symbolic link (dangling or not). */
    static void refuseLink(Path file, String what) {
        if (Files.isSymbolicLink(file)) {
            throw CliException.usage(what + " " + file + " is a symbolic link: the CLI does not write through links "
                    + "(it could overwrite a file elsewhere); remove the link or name another file");
        }
    }

    /**
     * A usage error unless {@code file}'s directory exists and is a directory (rather than a failure deep inside the
     * export, after the listing has begun).
     */
    static void requireDirectory(Path file, String what) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw CliException.usage(what + " " + file + ": the directory " + dir
                    + (Files.exists(dir) ? " is not a directory" : " does not exist")
                    + "; create it or name another file");
        }
    }

    /**
     * Opens the part file of an interrupted export to continue it: cut to {@code length} (the bytes that hold whole
     * blobs), positioned at its end; never through a link.
     */
    static OutputStream openForResume(Path file, long length) {
        refuseLink(file, "the output file");
        try {
            java.nio.channels.FileChannel ch =
                    java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            if (ch.size() < length) {
                ch.close();
                throw CliException.usage(file + " is shorter (" + ch.size() + " bytes) than its resume state says ("
                        + length + " bytes): it was changed since; run the export again without --resume");
            }
            ch.truncate(length);
            ch.position(length);
            return Channels.newOutputStream(ch);
        } catch (java.nio.file.NoSuchFileException e) {
            throw CliException.usage("nothing to resume: " + file + " does not exist; run the export without --resume");
        } catch (IOException e) {
            throw CliException.failure("cannot open " + file + " to resume: " + e.getMessage(), e);
        }
    }

    /**
     * Creates {@code file} anew, owner-only, without following a link, and opens it for writing. A regular file left
     * there (e.g. the part file of an export that failed) is replaced; a link is refused.
     */
    static OutputStream createPrivate(Path file) {
        refuseLink(file, "the output file");
        try {
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(file); // deletes a link itself, never its target; CREATE_NEW below refuses a new one
            }
            Set<OpenOption> options =
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            FileAttribute<?>[] attributes = isPosix(file)
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                    : new FileAttribute<?>[0];
            return Channels.newOutputStream(Files.newByteChannel(file, options, attributes));
        } catch (IOException e) {
            throw CliException.failure(
                    "cannot create " + file + ": " + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"),
                    e);
        }
    }

    private static boolean isPosix(Path file) {
        return file.toAbsolutePath()
                .getFileSystem()
                .supportedFileAttributeViews()
                .contains("posix");
    }
}
