package io.github.auditlake.o365.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.Cloud;
import io.github.auditlake.o365.api.EndpointAllowList;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Graph's answers as the directory client reads them, and the Graph hosts of each cloud. */
class OkHttpDirectoryApiTest {

    @Test
    void answersAreClassifiedByStatus() {
        DirectoryException t = OkHttpDirectoryApi.classify(429, "12");
        assertEquals(Unenriched.THROTTLED, t.reason());
        assertEquals(Duration.ofSeconds(12), t.retryAfter());
        assertNull(OkHttpDirectoryApi.classify(429, "Wed, 21 Oct 2015 07:28:00 GMT")
                .retryAfter());
        DirectoryException d = OkHttpDirectoryApi.classify(403, null);
        assertEquals(Unenriched.DENIED, d.reason());
        assertTrue(
                d.getMessage().contains("Directory.Read.All") && d.getMessage().contains("GroupMember.Read.All"));
        assertEquals(Unenriched.ERROR, OkHttpDirectoryApi.classify(503, null).reason());
    }

    @Test
    void aServiceUnavailableWithRetryAfterIsHonouredAsThrottling() {
        DirectoryException busy = OkHttpDirectoryApi.classify(503, "30");
        assertEquals(Unenriched.THROTTLED, busy.reason());
        assertEquals(java.time.Duration.ofSeconds(30), busy.retryAfter());
        assertEquals(Unenriched.ERROR, OkHttpDirectoryApi.classify(503, null).reason());
        assertEquals(Unenriched.ERROR, OkHttpDirectoryApi.classify(500, "30").reason());
    }

    @Test
    void theRequestNamesIdsAndTypesAsGraphSpellsThem() {
        String body = new String(
                OkHttpDirectoryApi.requestBody(
                        List.of("a", "b"), EnumSet.of(ObjectKind.GROUP, ObjectKind.SERVICE_PRINCIPAL)),
                StandardCharsets.UTF_8);
        assertEquals("{\"ids\":[\"a\",\"b\"],\"types\":[\"servicePrincipal\",\"group\"]}", body);
    }

    @Test
    void objectsAreReadByTheirOdataTypeAndUnknownTypesAreLeftOut() throws Exception {
        String json = "{\"value\":[{\"@odata.type\":\"#microsoft.graph.user\",\"id\":\"AB-1\",\"userPrincipalName\":"
                + "\"u@x\",\"displayName\":\"U\",\"jobTitle\":null},{\"@odata.type\":\"#microsoft.graph.device\","
                + "\"id\":\"d\"},{\"@odata.type\":\"#microsoft.graph.servicePrincipal\",\"id\":\"s\",\"appId\":\"app\","
                + "\"displayName\":\"S\"}]}";
        List<DirectoryObject> out = OkHttpDirectoryApi.parse(json.getBytes(StandardCharsets.UTF_8));
        assertEquals(2, out.size());
        assertEquals("ab-1", out.get(0).id());
        assertEquals("u@x", out.get(0).userPrincipalName());
        assertNull(out.get(0).jobTitle());
        assertEquals(ObjectKind.SERVICE_PRINCIPAL, out.get(1).kind());
        assertEquals("app", out.get(1).appId());
        assertThrows(DirectoryException.class, () -> OkHttpDirectoryApi.parse("<html>".getBytes()));
    }

    @Test
    void anOdataTypeIsReadWithOrWithoutItsHashAndNamespace() {
        for (String t : List.of("#microsoft.graph.user", "microsoft.graph.user", "#Microsoft.Graph.User", "user")) {
            assertEquals(java.util.Optional.of(ObjectKind.USER), ObjectKind.fromGraph(t), t);
        }
        assertEquals(
                java.util.Optional.of(ObjectKind.SERVICE_PRINCIPAL),
                ObjectKind.fromGraph("microsoft.graph.servicePrincipal"));
        assertEquals(java.util.Optional.empty(), ObjectKind.fromGraph("#microsoft.graph.device"));
    }

    @Test
    void eachCloudHasItsGraphHostAndItNeedsNoAllowListEntry() {
        assertEquals("https://graph.microsoft.com", Cloud.COMMERCIAL.graphBaseUrl());
        assertEquals("https://graph.microsoft.com", Cloud.GCC.graphBaseUrl());
        assertEquals("https://graph.microsoft.us", Cloud.GCC_HIGH.graphBaseUrl());
        assertEquals("https://dod-graph.microsoft.us", Cloud.DOD.graphBaseUrl());
        EndpointAllowList none = EndpointAllowList.of("");
        for (Cloud c : Cloud.values()) {
            assertTrue(none.allows(c.graphBaseUrl()), c.graphBaseUrl());
        }
        assertTrue(!none.allows("http://graph.microsoft.com"), "plain http to Graph is not Microsoft's host");
    }

    static final String A1 = "11111111-1111-4111-8111-111111111111";
    static final String A2 = "22222222-2222-4222-8222-222222222222";
    static final String A3 = "33333333-3333-4333-8333-333333333333";

    @Test
    void theBatchAsksEachQueryForItsAppIdsWithAnInFilter() {
        String body =
                new String(OkHttpDirectoryApi.batchBody(List.of(List.of(A1, A2), List.of(A3))), StandardCharsets.UTF_8);
        assertEquals(
                "{\"requests\":[{\"id\":\"1\",\"method\":\"GET\",\"url\":\"/servicePrincipals?$filter=appId%20in%20('"
                        + A1 + "','" + A2 + "')&$select=id,appId,displayName\"},{\"id\":\"2\",\"method\":\"GET\","
                        + "\"url\":\"/servicePrincipals?$filter=appId%20in%20('" + A3
                        + "')&$select=id,appId,displayName\"}]}",
                body);
        assertThrows(
                IllegalArgumentException.class,
                () -> OkHttpDirectoryApi.batchBody(List.of(List.of("x') or true or ('"))),
                "only GUIDs go into a filter");
    }

    @Test
    void eachQueryOfABatchAnswersOnItsOwnInAnyOrder() throws Exception {
        String json = "{\"responses\":[{\"id\":\"2\",\"status\":429,\"headers\":{\"retry-after\":\"7\"},"
                + "\"body\":{\"error\":{\"code\":\"TooManyRequests\"}}},{\"id\":\"1\",\"status\":200,"
                + "\"body\":{\"value\":[{\"id\":\"SP-1\",\"appId\":\"" + A1.toUpperCase()
                + "\",\"displayName\":\"One\"}]}}]}";
        DirectoryApi.AppIdAnswer a = OkHttpDirectoryApi.parseBatch(
                json.getBytes(StandardCharsets.UTF_8), List.of(List.of(A1, A2), List.of(A3), List.of("x")));
        assertEquals("sp-1", a.found().get(A1).id());
        assertEquals(ObjectKind.SERVICE_PRINCIPAL, a.found().get(A1).kind());
        assertNull(a.found().get(A2), "A2 was answered: unknown to the directory");
        assertNull(a.failed().get(A2));
        assertEquals(Unenriched.THROTTLED, a.failed().get(A3).reason());
        assertEquals(Duration.ofSeconds(7), a.failed().get(A3).retryAfter());
        assertEquals(Unenriched.ERROR, a.failed().get("x").reason(), "a query without an answer failed");
    }
}
