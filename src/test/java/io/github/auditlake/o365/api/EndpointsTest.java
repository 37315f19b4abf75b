package io.github.auditlake.o365.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointsTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://manage.office.com",
                "https://proxy.example.com/o365/",
                "http://127.0.0.1:8080",
                "http://localhost:1234/",
                "http://[::1]:9000",
                "HTTP://LOCALHOST:1"
            })
    void accepted(String url) {
        String v = Endpoints.validateBaseUrl(url, "o365.api.base.url");
        assertTrue(!v.endsWith("/"), v);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://manage.office.com",
                "http://10.0.0.1:80",
                "ftp://localhost/",
                "localhost:8080",
                "https://",
                "https://x.example.com/?a=b",
                "https://user:pw@x.example.com",
                "",
                "not a url",
                "http://127.0.0.2:8080"
            })
    void rejected(String url) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Endpoints.validateBaseUrl(url, "o365.api.base.url"));
        assertTrue(e.getMessage().contains("o365.api.base.url"), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void normalises() {
        assertEquals("https://x.example.com/p", Endpoints.validateBaseUrl(" https://x.example.com/p// ", "x"));
    }
}
