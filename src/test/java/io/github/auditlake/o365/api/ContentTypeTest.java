package io.github.auditlake.o365.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ContentTypeTest {
    @Test
    void parsesWireNamesIgnoringCaseAndSpaces() {
        assertEquals(ContentType.DLP_ALL, ContentType.fromWireName(" dlp.all ").orElseThrow());
        assertEquals(
                ContentType.EXCHANGE, ContentType.fromWireName("Audit.Exchange").orElseThrow());
        assertTrue(ContentType.fromWireName("Audit.Nope").isEmpty());
        assertEquals("audit.azureactivedirectory", ContentType.AZURE_ACTIVE_DIRECTORY.topicToken());
    }
}
