package io.github.auditlake.o365.history;

import io.github.auditlake.o365.api.ContentType;
import java.util.Locale;
import java.util.Map;

/**
 * The content type the Management Activity API lists a record under, derived from the record's {@code RecordType}
 * and {@code Workload} (audit search has no content type). The rules, in order (documented in docs/design.md,
 * "History through audit search"):
 *
 * <ol>
 *   <li>the DLP record types (11 ComplianceDLPSharePoint, 13 ComplianceDLPExchange, 33
 *       ComplianceDLPSharePointClassification, 107 ComplianceDLPExchangeClassification): {@code DLP.All};
 *   <li>the record types of the three workload feeds: 1, 2, 3, 19, 50 {@code Audit.Exchange}; 4, 6, 7, 14, 36, 37,
 *       54, 55, 56 {@code Audit.SharePoint}; 8, 9, 15 {@code Audit.AzureActiveDirectory};
 *   <li>another record type by its {@code Workload}: {@code Exchange}, {@code SharePoint} / {@code OneDrive},
 *       {@code AzureActiveDirectory} as above;
 *   <li>everything else: {@code Audit.General} ("all other workloads").
 * </ol>
 */
public final class ContentTypeTable {
    private static final Map<Integer, ContentType> BY_TYPE = Map.ofEntries(
            Map.entry(11, ContentType.DLP_ALL),
            Map.entry(13, ContentType.DLP_ALL),
            Map.entry(33, ContentType.DLP_ALL),
            Map.entry(107, ContentType.DLP_ALL),
            Map.entry(1, ContentType.EXCHANGE),
            Map.entry(2, ContentType.EXCHANGE),
            Map.entry(3, ContentType.EXCHANGE),
            Map.entry(19, ContentType.EXCHANGE),
            Map.entry(50, ContentType.EXCHANGE),
            Map.entry(4, ContentType.SHAREPOINT),
            Map.entry(6, ContentType.SHAREPOINT),
            Map.entry(7, ContentType.SHAREPOINT),
            Map.entry(14, ContentType.SHAREPOINT),
            Map.entry(36, ContentType.SHAREPOINT),
            Map.entry(37, ContentType.SHAREPOINT),
            Map.entry(54, ContentType.SHAREPOINT),
            Map.entry(55, ContentType.SHAREPOINT),
            Map.entry(56, ContentType.SHAREPOINT),
            Map.entry(8, ContentType.AZURE_ACTIVE_DIRECTORY),
            Map.entry(9, ContentType.AZURE_ACTIVE_DIRECTORY),
            Map.entry(15, ContentType.AZURE_ACTIVE_DIRECTORY));

    private ContentTypeTable() {}

    /**
     * @param recordType the record's {@code RecordType}, or a negative number when it has none
     * @param workload   the record's {@code Workload}, or null
     */
    public static ContentType contentType(int recordType, String workload) {
        ContentType byType = BY_TYPE.get(recordType);
        if (byType != null) {
            return byType;
        }
        if (workload != null) {
            switch (workload.trim().toLowerCase(Locale.ROOT)) {
                case "exchange":
                    return ContentType.EXCHANGE;
                case "sharepoint":
                case "onedrive":
                    return ContentType.SHAREPOINT;
                case "azureactivedirectory":
                    return ContentType.AZURE_ACTIVE_DIRECTORY;
                default:
                    break;
            }
        }
        return ContentType.GENERAL;
    }
}
