package io.github.auditlake.o365.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.cursor.StreamCursor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an export needs to be resumed ({@code export --resume}), kept beside its part file as {@code FILE.part.state}:
 * the range, content types and format it was started with, how many bytes of the part file hold whole blobs, and each
 * content type's position after the last blob in those bytes (the engine's own {@link StreamCursor}, the offset the
 * connector commits). A resumed export cuts the part file to those bytes and collects on from those positions, so a
 * blob is neither written twice nor left out. Written to a temporary file and moved into place, so a Ctrl-C never
 * leaves half a state.
 */
final class ExportState {
    static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The state file of {@code part}. */
    static Path of(Path part) {
        return part.resolveSibling(part.getFileName() + ".state");
    }

    /** The state as stored. Times as ISO-8601 text; positions as cursor offsets per content type name. */
    static final class Data {
        public int v = VERSION;
        public String tenant;
        public List<String> contentTypes;
        public String start;
        public String end;
        public String format;
        public List<String> fields;
        public boolean rawCells;
        /** {@code --enrich} (absent in the state of an export made before it: false). */
        public boolean enrich;

        public long bytes;
        public long blobs;
        public long records;
        public long skipped;
        public Map<String, Map<String, Object>> positions = new LinkedHashMap<>();

        List<ContentType> types() {
            return contentTypes.stream()
                    .map(n -> ContentType.fromWireName(n)
                            .orElseThrow(
                                    () -> CliException.usage("the resume state names an unknown content type " + n)))
                    .toList();
        }

        Times.Window range() {
            return new Times.Window(Instant.parse(start), Instant.parse(end));
        }

        StreamCursor position(ContentType t) {
            Map<String, Object> offset = positions.get(t.wireName());
            return offset == null ? null : StreamCursor.fromOffset(offset);
        }
    }

    private ExportState() {}

    /** Reads {@code file}; a usage error when it is missing or unreadable. */
    static Data read(Path file) {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw CliException.usage("nothing to resume: " + file + " does not exist (it is written while an export "
                    + "to a file runs, and removed once the export is complete); run the export without --resume");
        }
        try {
            Data d = JSON.readValue(file.toFile(), new TypeReference<Data>() {});
            if (d.v != VERSION || d.contentTypes == null || d.start == null || d.end == null || d.format == null) {
                throw CliException.usage(
                        file + " is not a resume state this version can read; run the export " + "without --resume");
            }
            return d;
        } catch (IOException e) {
            throw CliException.usage(file + " cannot be read as a resume state ("
                    + e.getClass().getSimpleName() + "); run the export without --resume");
        }
    }

    /** Writes {@code d} to {@code file} through a temporary file moved into place (owner-only, as the output). */
    static void write(Path file, Data d) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            byte[] bytes = JSON.writeValueAsBytes(d);
            Files.deleteIfExists(tmp);
            if (tmp.toAbsolutePath()
                    .getFileSystem()
                    .supportedFileAttributeViews()
                    .contains("posix")) {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OutputFiles.OWNER_ONLY));
            }
            Files.write(
                    tmp,
                    bytes,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING,
                    LinkOption.NOFOLLOW_LINKS);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw CliException.failure("cannot write the resume state " + file + ": " + e.getMessage(), e);
        }
    }
}
