package io.github.auditlake.o365.api;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An InputStream that remembers the bytes it has handed out from a retained absolute offset onwards, so that the
 * original text of a JSON value can be sliced out by byte offsets after a parser has consumed it. Memory is bounded
 * by the bytes between the retained offset and the reader's read-ahead, i.e. one record plus one parser buffer.
 * Not thread-safe.
 */
final class RecordingInputStream extends FilterInputStream {
    private byte[] buf = new byte[16 * 1024];
    /** absolute offset of buf[0] */
    private long base;
    /** number of valid bytes in buf */
    private int len;

    RecordingInputStream(InputStream in) {
        super(in);
    }

    /** Absolute offset of the next byte to be read from the underlying stream. */
    long position() {
        return base + len;
    }

    /** Forgets every byte before {@code absoluteOffset}. */
    void retainFrom(long absoluteOffset) {
        long drop = Math.min(absoluteOffset - base, len);
        if (drop <= 0) {
            return;
        }
        int d = (int) drop;
        System.arraycopy(buf, d, buf, 0, len - d);
        len -= d;
        base += d;
        if (buf.length > 64 * 1024 && len < buf.length / 4) {
            buf = Arrays.copyOf(buf, Math.max(16 * 1024, len * 2));
        }
    }

    /** The retained bytes {@code [start, end)} decoded as UTF-8. */
    String slice(long start, long end) {
        if (start < base || end > base + len || start > end) {
            throw new IllegalStateException(
                    "slice [" + start + ", " + end + ") outside retained [" + base + ", " + (base + len) + ")");
        }
        return new String(buf, (int) (start - base), (int) (end - start), StandardCharsets.UTF_8);
    }

    /** A copy of the bytes {@code [start, end)}, which must still be retained. */
    byte[] sliceBytes(long start, long end) {
        if (start < base || end > base + len || start > end) {
            throw new IllegalStateException(
                    "slice [" + start + ", " + end + ") outside retained [" + base + ", " + (base + len) + ")");
        }
        int from = (int) (start - base);
        return java.util.Arrays.copyOfRange(buf, from, from + (int) (end - start));
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            ensure(1);
            buf[len++] = (byte) b;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int n) throws IOException {
        int r = super.read(b, off, n);
        if (r > 0) {
            ensure(r);
            System.arraycopy(b, off, buf, len, r);
            len += r;
        }
        return r;
    }

    @Override
    public long skip(long n) throws IOException {
        // keep offsets exact: skip by reading
        byte[] tmp = new byte[(int) Math.min(n, 8192)];
        int r = read(tmp, 0, tmp.length);
        return Math.max(r, 0);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            long need = (long) len + extra;
            if (need > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("a single record exceeds 2 GiB");
            }
            buf = Arrays.copyOf(buf, (int) Math.max(need, Math.min((long) buf.length * 2, Integer.MAX_VALUE - 16)));
        }
    }
}
