package io.github.auditlake.o365.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

class ConversionTest {
    @Test
    void clientIpFormsGiveTheAddressAndHostNamesGiveNone() {
        assertEquals("203.0.113.5", Conversion.ip("203.0.113.5"));
        assertEquals("203.0.113.5", Conversion.ip("203.0.113.5:443"));
        assertEquals("203.0.113.5", Conversion.ip("[203.0.113.5]:443"));
        assertEquals("::ffff:203.0.113.5", Conversion.ip("::ffff:203.0.113.5"));
        assertEquals("2001:db8::1", Conversion.ip("[2001:db8::1]:51234"));
        assertEquals("::1", Conversion.ip("::1"));
        assertEquals("2001:db8:0:0:0:0:0:1", Conversion.ip("2001:db8:0:0:0:0:0:1"));
        assertNull(Conversion.ip("mail.contoso.example"));
        assertNull(Conversion.ip("mail.contoso.example:25"));
        assertNull(Conversion.ip("256.1.1.1"));
        assertNull(Conversion.ip("1.2.3"));
        assertNull(Conversion.ip("2001:db8::1::2"));
        assertNull(Conversion.ip("[2001:db8::1"));
    }

    @Test
    void resultStatusSpellingsGiveOutcomeAndStatus() {
        for (String ok : new String[] {"Succeeded", "Success", "True", "TRUE", "success"}) {
            assertEquals(
                    "success", Conversion.OUTCOME.apply(TextNode.valueOf(ok)).asText(), ok);
            assertEquals(1, Conversion.STATUS_ID.apply(TextNode.valueOf(ok)).intValue(), ok);
        }
        for (String ko : new String[] {"Failed", "failed", "False"}) {
            assertEquals(
                    "failure", Conversion.OUTCOME.apply(TextNode.valueOf(ko)).asText(), ko);
            assertEquals(
                    "Failure", Conversion.STATUS.apply(TextNode.valueOf(ko)).asText(), ko);
        }
        assertEquals(
                "unknown",
                Conversion.OUTCOME.apply(TextNode.valueOf("InProgress")).asText());
        assertEquals(
                99,
                Conversion.STATUS_ID
                        .apply(TextNode.valueOf("PartiallySucceeded"))
                        .intValue());
        assertNull(Conversion.OUTCOME.apply(TextNode.valueOf("")), "empty is absent");
    }

    @Test
    void timesUsersAndUrls() {
        assertEquals(
                "2024-03-01T08:12:03Z",
                Conversion.TS_ISO.apply(TextNode.valueOf("2024-03-01T08:12:03")).asText());
        assertEquals(
                "2024-03-01T08:12:03.123Z",
                Conversion.TS_ISO
                        .apply(TextNode.valueOf("2024-03-01T08:12:03.123"))
                        .asText());
        assertEquals(
                1_709_280_723_000L,
                Conversion.TS_MS.apply(TextNode.valueOf("2024-03-01T08:12:03")).longValue());
        assertNull(Conversion.TS_MS.apply(TextNode.valueOf("yesterday")));
        assertEquals(
                "alice",
                Conversion.USER_NAME
                        .apply(TextNode.valueOf("alice@contoso.example"))
                        .asText());
        assertEquals(
                "NT AUTHORITY\\SYSTEM (x)",
                Conversion.USER_NAME
                        .apply(TextNode.valueOf("NT AUTHORITY\\SYSTEM (x)"))
                        .asText());
        assertNull(Conversion.DOMAIN.apply(TextNode.valueOf("S-1-5-18")));
        assertNull(Conversion.EMAIL.apply(TextNode.valueOf("i:0h.f|membership|x@live.com")));
        assertEquals(
                "contoso.sharepoint.com",
                Conversion.URL_DOMAIN
                        .apply(TextNode.valueOf("https://contoso.sharepoint.com/a/b.docx?x=1"))
                        .asText());
        assertEquals(
                "/a/b.docx",
                Conversion.URL_PATH
                        .apply(TextNode.valueOf("https://contoso.sharepoint.com/a/b.docx?x=1"))
                        .asText());
        assertNull(Conversion.URL.apply(TextNode.valueOf("contoso.onmicrosoft.com\\Transport Settings")));
        assertEquals(4, Conversion.SEVERITY_ID.apply(TextNode.valueOf("High")).intValue());
        assertNull(Conversion.SEVERITY_ID.apply(TextNode.valueOf("Whatever")));
        assertEquals(3, Conversion.USER_TYPE_ID.apply(IntNode.valueOf(4)).intValue());
        assertEquals("5", Conversion.TEXT.apply(IntNode.valueOf(5)).asText());
    }
}
