package io.github.auditlake.o365.cli.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.auditlake.o365.api.ContentBlob;
import io.github.auditlake.o365.ledger.BlobDigest;
import io.github.auditlake.o365.ledger.LedgerEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The attestation page: self-contained, complete, and safe with hostile text from the API or the ledger. */
class AttestationTest {
    static final String HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>\"' &";

    @Test
    void untrustedTextIsEscapedEverywhere() {
        Instant t = SampleReports.START.plusSeconds(600);
        String tenant = SampleReports.TENANT + HOSTILE;
        ContentBlob missing = new ContentBlob("Audit.Exchange", "m-" + HOSTILE, "https://x", t, null);
        ContentBlob skipped = new ContentBlob("Audit.Exchange", "s-1", "https://x", t, null);
        LedgerEntry skip = new LedgerEntry(
                tenant,
                "Audit.Exchange",
                "s-1",
                "https://x",
                t,
                null,
                null,
                null,
                0,
                0,
                BlobDigest.EMPTY,
                0,
                LedgerEntry.Outcome.SKIPPED,
                "reason " + HOSTILE,
                0);
        LedgerEntry alien = new LedgerEntry(
                tenant,
                "Audit.Exchange</td>" + HOSTILE,
                "only-" + HOSTILE,
                null,
                t,
                null,
                null,
                null,
                1,
                1,
                BlobDigest.EMPTY,
                0,
                LedgerEntry.Outcome.DELIVERED,
                null,
                0);
        VerifyReport.Meta m = SampleReports.meta(false);
        VerifyReport.Meta hostileMeta = new VerifyReport.Meta(
                tenant,
                m.start(),
                m.end(),
                m.checkedAt(),
                m.toolVersion(),
                m.bootstrapServers() + HOSTILE,
                m.ledgerTopic() + HOSTILE,
                false,
                List.of(),
                m.grace(),
                List.of("Audit.Exchange"),
                "verify --tenant '" + HOSTILE + "'");
        VerifyReport r = Comparison.compare(
                hostileMeta,
                List.of(missing, skipped),
                LedgerRead.of(tenant, m.start(), m.end(), List.of(skip, alien)),
                null,
                m.end(),
                List.of("note " + HOSTILE));
        String html = Attestation.html(r);
        assertFalse(html.toLowerCase().contains("<script"), "no script element");
        assertFalse(html.contains("<img"), "no injected element");
        var tags = Pattern.compile("<[a-zA-Z][^>]*>").matcher(html);
        while (tags.find()) {
            assertFalse(
                    tags.group().contains("onerror") || tags.group().contains("alert"),
                    "no injected attribute: " + tags.group());
        }
        assertTrue(
                html.contains(
                        "m-&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39; &amp;"),
                "the contentId shows as text");
        assertTrue(html.contains("reason &lt;script&gt;"), "the skip reason shows as text");
        assertTrue(html.contains("only-&lt;script&gt;"), "a ledger-only contentId shows as text");
    }

    @Test
    void thePageLoadsNothingFromElsewhere() {
        String html = Attestation.html(SampleReports.day(true));
        assertFalse(html.contains("<script"));
        assertFalse(html.contains("<link"));
        assertFalse(html.contains("@import"));
        assertFalse(html.contains("url("));
        assertFalse(html.contains(" src="));
        assertFalse(html.contains("href="));
        assertEquals(1, html.split("http://", -1).length - 1, "the only URL is the SVG namespace: " + html.length());
        assertTrue(html.contains("xmlns=\"http://www.w3.org/2000/svg\""));
        assertTrue(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));
    }

    @Test
    void showsTheFactsTotalsEveryFindingAndThePlotWithGaps() {
        VerifyReport r = SampleReports.day(true);
        String html = Attestation.html(r);
        assertTrue(html.contains("NOT COMPLETE"));
        assertTrue(html.contains(r.ledgerSha256()));
        assertTrue(html.contains(SampleReports.TENANT));
        assertTrue(html.contains("--data --attest attestation.html"), "how it was checked");
        for (VerifyReport.Finding f : r.findings()) {
            assertTrue(html.contains(f.contentId()), "every finding: " + f);
        }
        assertEquals(12, r.findings(VerifyReport.Status.MISSING).size(), "the Exchange hour 14:00");
        assertEquals(1, r.findings(VerifyReport.Status.MISMATCHED).size());
        assertEquals(1, r.findings(VerifyReport.Status.SKIPPED).size());
        assertTrue(r.findings(VerifyReport.Status.PENDING).size() > 0);
        int gaps = html.split("class=\"gap\"", -1).length - 1;
        long badHours = r.rows().stream()
                .filter(row -> row.missing() + row.mismatched() > 0)
                .map(VerifyReport.Row::hour)
                .distinct()
                .count();
        assertTrue(badHours >= 2, "the missing hour and the mismatched blob's hour");
        assertEquals(badHours, gaps, "a red band per hour with a missing or mismatched blob");
        assertEquals(3, html.split("<polyline", -1).length - 1, "a line per content type");
        assertEquals(
                Duration.between(r.meta().start(), r.meta().end()).toHours() * 3,
                r.rows().size());
    }
}
