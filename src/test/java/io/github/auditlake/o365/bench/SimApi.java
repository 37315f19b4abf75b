package io.github.auditlake.o365.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.auditlake.o365.api.ContentType;
import io.github.auditlake.o365.simulator.ManagementApiSimulator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain JDK {@link HttpClient} against the simulator, the way a simple script would use the API: one request at
 * a time, each blob read whole and parsed with Jackson {@code readTree}. The sequential baseline of the backfill
 * scenario; also measures blob sizes for the memory scenario.
 */
final class SimApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ManagementApiSimulator sim;
    private final String tenant;
    private final String token;

    SimApi(ManagementApiSimulator sim, String tenant, String client, String secret) throws Exception {
        this.sim = sim;
        this.tenant = tenant;
        String form = "grant_type=client_credentials&client_id=" + enc(client) + "&client_secret=" + enc(secret)
                + "&scope=" + enc(ManagementApiSimulator.RESOURCE + "/.default");
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(sim.tokenEndpointV2(tenant)))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("token: " + r.statusCode() + " " + r.body());
        }
        this.token = JSON.readTree(r.body()).path("access_token").asText();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private HttpResponse<InputStream> get(String url) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + token)
                        .timeout(Duration.ofMinutes(5))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            String body;
            try (InputStream in = r.body()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            throw new IllegalStateException("GET " + url + ": " + r.statusCode() + " " + body);
        }
        return r;
    }

    /** Bytes of a blob's body, streamed and discarded. */
    long blobBytes(String contentId) throws Exception {
        try (InputStream in = get(sim.apiRoot(tenant) + "/audit/" + contentId).body()) {
            return in.transferTo(OutputStream.nullOutputStream());
        }
    }

    /** Result of the sequential baseline: records read, blobs fetched, requests made. */
    record Sequential(long records, int blobs, int requests) {}

    /** Lists every content type in 1-hour windows over [from, to), fetching each blob right after its page. */
    Sequential sequential(Instant from, Instant to) throws Exception {
        long records = 0;
        int blobs = 0;
        int requests = 0;
        for (ContentType type : ContentType.values()) {
            for (Instant s = from.truncatedTo(ChronoUnit.SECONDS); s.isBefore(to); s = s.plus(Duration.ofHours(1))) {
                Instant e = s.plus(Duration.ofHours(1)).isBefore(to) ? s.plus(Duration.ofHours(1)) : to;
                String url = sim.apiRoot(tenant) + "/subscriptions/content?contentType=" + type.wireName()
                        + "&startTime=" + s.truncatedTo(ChronoUnit.SECONDS) + "&endTime="
                        + e.truncatedTo(ChronoUnit.SECONDS);
                while (url != null) {
                    HttpResponse<InputStream> page = get(url);
                    requests++;
                    JsonNode items;
                    try (InputStream in = page.body()) {
                        items = JSON.readTree(in);
                    }
                    List<String> uris = new ArrayList<>();
                    items.forEach(i -> uris.add(i.path("contentUri").asText()));
                    for (String uri : uris) {
                        JsonNode body;
                        try (InputStream in = get(uri).body()) {
                            body = JSON.readTree(in.readAllBytes());
                        }
                        requests++;
                        blobs++;
                        records += body.size();
                    }
                    url = page.headers().firstValue("NextPageUri").orElse(null);
                }
            }
        }
        return new Sequential(records, blobs, requests);
    }
}
