package io.github.auditlake.o365.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;

/**
 * The byte caps on response bodies read whole. They count the body as decoded: OkHttp decompresses a gzip body
 * transparently, so a small compressed body that inflates past a cap (a gzip bomb) is stopped after the cap, with at
 * most the cap plus one read buffer in memory. A blob is not read whole: it is streamed record by record and bounded
 * by the record size limit instead ({@link JsonAuditRecordStream}), since blobs of hundreds of MB are legitimate.
 */
public final class BodyLimits {
    private BodyLimits() {}

    /**
     * Successful JSON bodies of the Management API other than blobs: a content or notification listing page (the
     * service pages at about 600 entries of some 500 bytes, so well under 1 MiB), the subscription list, a
     * subscription, the DLP sensitive types.
     */
    public static final int RESPONSE_MAX_BYTES = 8 * 1024 * 1024;

    /** Error bodies: only their first bytes are read (for the error code and message), the rest is discarded. */
    public static final int ERROR_MAX_BYTES = 64 * 1024;

    /**
     * Sign-in responses (tokens, the managed-identity endpoint's and the login host's discovery documents), a few KB
     * each.
     */
    public static final int SIGN_IN_MAX_BYTES = 256 * 1024;

    /** A body larger than its cap: not read further. An IO failure, so it is classified as one (transient). */
    public static final class BodyTooLargeException extends IOException {
        private final long limit;

        public BodyTooLargeException(String what, long limit) {
            super("the " + what + " response body is larger than its limit of " + limit
                    + " bytes (counted after decompression); it was not read");
            this.limit = limit;
        }

        public long limit() {
            return limit;
        }
    }

    /**
     * The whole body as UTF-8 text, or {@link BodyTooLargeException} when it holds more than {@code maxBytes} bytes
     * (by its {@code Content-Length}, or as read).
     */
    public static String readString(ResponseBody body, int maxBytes, String what) throws IOException {
        if (body == null) {
            return "";
        }
        if (body.contentLength() > maxBytes) {
            throw new BodyTooLargeException(what, maxBytes);
        }
        BufferedSource src = body.source();
        if (src.request((long) maxBytes + 1)) {
            throw new BodyTooLargeException(what, maxBytes);
        }
        return src.getBuffer().readString(StandardCharsets.UTF_8);
    }

    /** At most the first {@code maxBytes} bytes of the body as UTF-8 text (for error bodies): never fails on size. */
    public static String readPrefix(ResponseBody body, int maxBytes) throws IOException {
        if (body == null) {
            return "";
        }
        BufferedSource src = body.source();
        Buffer buf = new Buffer();
        long total = 0;
        while (total < maxBytes) {
            long r = src.read(buf, maxBytes - total);
            if (r < 0) {
                break;
            }
            total += r;
        }
        return buf.readUtf8();
    }
}
