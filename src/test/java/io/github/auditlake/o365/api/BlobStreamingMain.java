package io.github.auditlake.o365.api;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import okhttp3.OkHttpClient;

/**
 * Child-process main for {@link BlobStreamingMemoryTest}: serves a generated blob of {@code args[0]} records
 * (about 1 KiB each, written on the fly, never held in memory) from a local HttpServer and streams it through the
 * real adapter, printing {@code records=N bytes=M}.
 */
public final class BlobStreamingMain {
    private BlobStreamingMain() {}

    static String record(int i) {
        StringBuilder sb = new StringBuilder(1100);
        sb.append("{\"CreationTime\":\"2024-03-01T10:11:15\",\"Id\":\"")
                .append(i)
                .append("\",\"Operation\":\"FileAccessed\",\"Workload\":\"SharePoint\",\"RecordType\":6,")
                .append("\"ExtendedProperties\":[{\"Name\":\"x\",\"Value\":\"{\\\"Id\\\":\\\"nested\\\"}\"}],")
                .append("\"Pad\":\"");
        while (sb.length() < 1000) {
            sb.append("abcdefghij\\u00e9");
        }
        return sb.append("\"}").toString();
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        long[] served = {0};
        server.createContext("/", ex -> {
            ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
            ex.sendResponseHeaders(200, 0);
            try (OutputStream os = new BufferedOutputStream(ex.getResponseBody(), 64 * 1024)) {
                os.write('[');
                for (int i = 0; i < n; i++) {
                    byte[] b = ((i == 0 ? "" : ",\n") + record(i)).getBytes(StandardCharsets.UTF_8);
                    os.write(b);
                    served[0] += b.length;
                }
                os.write(']');
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
                new RequestLimiter(100, java.time.Clock.systemUTC(), Sleeper.SYSTEM),
                RetryPolicy.DEFAULT,
                java.time.Clock.systemUTC(),
                Sleeper.SYSTEM,
                new Random(),
                null,
                false);
        long count = 0;
        long chars = 0;
        try (AuditRecordStream s = api.openBlob(new ContentBlob(
                "Audit.SharePoint",
                "blob",
                base + "/api/v1.0/t/activity/feed/audit/blob",
                Instant.now(),
                Instant.now().plus(Duration.ofDays(1))))) {
            while (s.hasNext()) {
                AuditRecord r = s.next();
                if (!r.id().equals(Long.toString(count)) || !r.json().equals(record((int) count))) {
                    System.out.println("MISMATCH at " + count);
                    System.exit(3);
                }
                chars += r.json().length();
                count++;
            }
        }
        System.out.println("records=" + count + " bytes=" + served[0] + " maxHeap="
                + Runtime.getRuntime().maxMemory());
        server.stop(0);
        http.dispatcher().executorService().shutdown();
        System.exit(0);
    }
}
