package io.github.auditlake.o365.api;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import okhttp3.OkHttpClient;

/**
 * Child-process main for {@link BoundedInputMemoryTest}, run with a small heap: serves generated blobs from a local
 * HttpServer (written on the fly, never held in memory) and reads them through the real adapter.
 *
 * <ul>
 *   <li>{@code huge-record MB LIMIT}: one blob {@code [small, {"Id":"huge",...MB megabytes...}, small]}, read with a
 *       record limit of LIMIT bytes; prints each record as {@code record id=... tooLarge=... size=...}.
 *   <li>{@code long-names BLOBS NAME_BYTES}: BLOBS blobs, blob k holding k records, each with one field name of
 *       NAME_BYTES characters unique in the run; prints {@code records=N}.
 * </ul>
 */
public final class BoundedInputMain {
    private BoundedInputMain() {}

    static final String SMALL = "{\"Id\":\"small\",\"Operation\":\"FileAccessed\"}";

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
            ex.sendResponseHeaders(200, 0);
            String path = ex.getRequestURI().getPath();
            try (OutputStream os = new BufferedOutputStream(ex.getResponseBody(), 64 * 1024)) {
                if (mode.equals("huge-record")) {
                    writeHugeRecordBlob(os, Long.parseLong(args[1]) * 1024 * 1024);
                } else {
                    int k = Integer.parseInt(path.substring(path.lastIndexOf('-') + 1));
                    writeLongNamesBlob(os, k, Integer.parseInt(args[2]));
                }
            }
            ex.close();
        });
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        OkHttpClient http = new OkHttpClient();
        OkHttpManagementApi api = new OkHttpManagementApi(
                http,
                new FixedTokens(),
                "t",
                base,
                "t",
                new RequestLimiter(6000, Clock.systemUTC(), Sleeper.SYSTEM),
                RetryPolicy.DEFAULT,
                Clock.systemUTC(),
                Sleeper.SYSTEM,
                new Random(),
                null,
                false);
        if (mode.equals("huge-record")) {
            api.limitingRecordsTo(Integer.parseInt(args[2]));
            try (AuditRecordStream s = api.openBlob(blob(base, "blob-1"))) {
                while (s.hasNext()) {
                    AuditRecord r = s.next();
                    System.out.println("record id=" + r.id() + " tooLarge=" + r.isTooLarge() + " size=" + r.size());
                }
            }
        } else {
            int blobs = Integer.parseInt(args[1]);
            long records = 0;
            for (int k = 1; k <= blobs; k++) {
                try (AuditRecordStream s = api.openBlob(blob(base, "blob-" + k))) {
                    while (s.hasNext()) {
                        s.next();
                        records++;
                    }
                }
            }
            System.out.println("records=" + records);
        }
        server.stop(0);
        http.dispatcher().executorService().shutdown();
        System.exit(0);
    }

    private static ContentBlob blob(String base, String id) {
        return new ContentBlob(
                "Audit.SharePoint",
                id,
                base + "/api/v1.0/t/activity/feed/audit/" + id,
                Instant.now(),
                Instant.now().plus(Duration.ofDays(1)));
    }

    private static void writeHugeRecordBlob(OutputStream os, long padBytes) throws IOException {
        os.write(("[" + SMALL + ",{\"Id\":\"huge\",\"Pad\":\"").getBytes(StandardCharsets.UTF_8));
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        for (long left = padBytes; left > 0; left -= chunk.length) {
            os.write(chunk, 0, (int) Math.min(chunk.length, left));
        }
        os.write(("\"}," + SMALL + "]").getBytes(StandardCharsets.UTF_8));
    }

    /** Blob k: k records, each with one field name of {@code nameLength} characters, unique in the whole run. */
    private static void writeLongNamesBlob(OutputStream os, int k, int nameLength) throws IOException {
        os.write('[');
        byte[] fill = new byte[nameLength - 12];
        Arrays.fill(fill, (byte) 'n');
        for (int i = 0; i < k; i++) {
            os.write(((i == 0 ? "" : ",") + "{\"Id\":\"" + k + "-" + i + "\",\"").getBytes(StandardCharsets.UTF_8));
            os.write(String.format("%06d%06d", k, i).getBytes(StandardCharsets.UTF_8));
            os.write(fill);
            os.write("\":1}".getBytes(StandardCharsets.UTF_8));
        }
        os.write(']');
    }
}
