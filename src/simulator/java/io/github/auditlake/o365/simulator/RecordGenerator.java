package io.github.auditlake.o365.simulator;

import io.github.auditlake.o365.api.ContentType;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.SplittableRandom;

/**
 * Deterministic generator of realistic audit records (reference 4.6/4.7), one record at a time, from
 * (blob seed, record index). Bodies are written record by record, so memory stays O(1 record) for any blob size.
 */
final class RecordGenerator {

    private static final String[] FIRST = {
        "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "niaj", "olivia",
        "peggy", "rupert", "sybil", "trent", "victor", "walter", "zoe"
    };
    private static final String[] RESULT = {
        "Succeeded", "Success", "True", "TRUE", "InProgress", "success", "failed", "Failed", "PartiallySucceeded", null
    };
    private static final String[] EXO_OPS = {
        "MailItemsAccessed",
        "Send",
        "Update",
        "MoveToDeletedItems",
        "HardDelete",
        "ModifyFolderPermissions",
        "MailboxLogin",
        "SoftDelete",
        "Create"
    };
    private static final String[] EXO_ADMIN = {
        "Set-Mailbox",
        "Set-TransportConfig",
        "New-InboxRule",
        "Add-MailboxPermission",
        "Set-OrganizationConfig",
        "Remove-MailboxPermission"
    };
    private static final String[] SP_OPS = {
        "FileAccessed", "FileModified", "FileUploaded", "FileDownloaded", "FileDeleted", "FilePreviewed", "FileRenamed"
    };
    private static final String[] SHARE_OPS = {
        "SharingSet", "AnonymousLinkCreated", "SharingInvitationCreated", "AddedToSecureLink"
    };
    private static final String[] EXT = {"docx", "xlsx", "pptx", "pdf", "txt", "png", "one", "csv"};
    private static final String[] AAD_ADMIN = {
        "Update application.",
        "Add member to group.",
        "Update user.",
        "Add service principal.",
        "Reset user password.",
        "Consent to application."
    };
    private static final String[] TEAMS_OPS = {
        "MemberAdded", "TeamCreated", "ChannelAdded", "MemberRemoved", "TeamSettingChanged"
    };
    private static final String[] PBI_OPS = {"ViewReport", "ExportReport", "ViewDashboard", "GetSnapshots"};
    private static final String[] YAMMER_OPS = {"MessageCreated", "GroupCreation", "FileVisited", "MessageUpdated"};
    private static final String[] SERVERS = {"AM6PR01MB", "HE1PR0102MB", "DB8PR04MB", "VI1PR07MB", "CH2PR11MB"};
    private static final String[] AGENTS = {
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15",
        "Microsoft Office Word/16.0.17328.20124 (Windows/10.0; Desktop x64; en-US; Desktop app; Dell Inc./XPS 15)",
        "OneDriveMpc-Transform_Thumbnail/1.0",
        "Microsoft SkyDriveSync 24.020.0128.0003 ship; Windows NT 10.0 (19045)"
    };
    private static final String[] SENSITIVE = {
        "50842eb7-edc8-4019-85dd-5a5c1f2bb085",
        "a44669fe-0d48-453d-a9b1-2cc83f2cba77",
        "e7dc4711-11b7-4cb0-b88b-2c394a771f0e",
        "0e9b3178-9678-47dd-a509-37222ca96b42"
    };
    /** Filler for padding records to a requested size: base64url-looking text. */
    private static final String FILLER;

    static {
        StringBuilder f = new StringBuilder(1 << 16);
        SplittableRandom r = new SplittableRandom(0x5EED);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < (1 << 16); i++) {
            f.append(alphabet.charAt(r.nextInt(64)));
        }
        FILLER = f.toString();
    }

    private RecordGenerator() {}

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    static long mix(long a, long b) {
        return mix(a * 0x9E3779B97F4A7C15L + mix(b));
    }

    static long hash(String s) {
        long h = 1125899906842597L;
        for (int i = 0; i < s.length(); i++) {
            h = 31 * h + s.charAt(i);
        }
        return mix(h);
    }

    /** A GUID derived from two 64-bit values (version 4 layout). */
    static String guid(long hi, long lo) {
        hi = (hi & 0xFFFFFFFFFFFF0FFFL) | 0x0000000000004000L;
        lo = (lo & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        StringBuilder sb = new StringBuilder(36);
        hex(sb, hi >>> 32, 8).append('-');
        hex(sb, (hi >>> 16) & 0xFFFF, 4).append('-');
        hex(sb, hi & 0xFFFF, 4).append('-');
        hex(sb, lo >>> 48, 4).append('-');
        hex(sb, lo & 0xFFFFFFFFFFFFL, 12);
        return sb.toString();
    }

    private static StringBuilder hex(StringBuilder sb, long v, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            sb.append(Character.forDigit((int) ((v >>> (4 * i)) & 0xF), 16));
        }
        return sb;
    }

    /**
     * The blob that originally produced record {@code index}: duplicated leading records come from the preceding
     * blob, which may itself have copied them from its predecessor.
     */
    private static SimBlob source(SimBlob blob, int index) {
        SimBlob b = blob;
        while (index < b.dupCount && b.dupSource != null) {
            b = b.dupSource;
        }
        return b;
    }

    static String recordId(SimBlob blob, int index) {
        if (blob.explicitIds != null) {
            return blob.explicitIds.get(index);
        }
        SimBlob src = source(blob, index);
        long s = mix(src.seed, index);
        return guid(mix(s, 1), mix(s, 2));
    }

    /** Writes the whole blob body (a JSON array) to {@code out}, record by record. */
    static void writeBody(SimBlob blob, OutputStream out, int truncateAfterRecords) throws IOException {
        StringBuilder sb = new StringBuilder(1 << 17);
        sb.append('[');
        int n = blob.recordCount();
        for (int i = 0; i < n; i++) {
            if (truncateAfterRecords >= 0 && i == truncateAfterRecords) {
                // a cut in the middle of a record: the JSON is unterminated
                int mark = sb.length();
                record(blob, i, sb);
                sb.setLength(mark + (sb.length() - mark) / 2);
                out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (i > 0) {
                sb.append(',');
            }
            record(blob, i, sb);
            if (sb.length() >= (1 << 16)) {
                out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                sb.setLength(0);
            }
        }
        sb.append(']');
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Writes the opening bracket and the first {@code records} whole records, each followed by a comma. */
    static void writePrefix(SimBlob blob, OutputStream out, int records) throws IOException {
        StringBuilder sb = new StringBuilder(1 << 17);
        sb.append('[');
        for (int i = 0; i < records && i < blob.recordCount(); i++) {
            record(blob, i, sb);
            sb.append(',');
        }
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Appends record {@code index} of {@code blob} (a JSON object) to {@code sb}. */
    static void record(SimBlob blob, int index, StringBuilder sb) {
        if (blob.explicitRecords != null) {
            sb.append(blob.explicitRecords.get(index));
            return;
        }
        SimBlob src = source(blob, index);
        SplittableRandom r = new SplittableRandom(mix(src.seed, index));
        int start = sb.length();
        String id = recordId(blob, index);
        // events are older than the blob, by 5 s .. 25 min, in random (not sorted) order within the blob
        long eventEpoch = src.contentCreated().getEpochSecond() - 5 - r.nextInt(1500);
        String tenant = src.tenantId();
        String domain =
                "tenant" + tenant.replace("-", "").substring(0, Math.min(8, tenant.length())) + ".onmicrosoft.com";
        sb.append('{');
        switch (src.type()) {
            case EXCHANGE:
                if (r.nextInt(10) < 7) {
                    exchangeItem(sb, r, tenant, domain, eventEpoch);
                } else {
                    exchangeAdmin(sb, r, tenant, domain, eventEpoch);
                }
                break;
            case SHAREPOINT:
                sharePoint(sb, r, tenant, domain, eventEpoch);
                break;
            case AZURE_ACTIVE_DIRECTORY:
                if (r.nextInt(10) < 7) {
                    aadLogon(sb, r, tenant, domain, eventEpoch);
                } else {
                    aadAdmin(sb, r, tenant, domain, eventEpoch);
                }
                break;
            case GENERAL:
                general(sb, r, tenant, domain, eventEpoch);
                break;
            case DLP_ALL:
                if (r.nextBoolean()) {
                    dlpExchange(sb, r, tenant, domain, eventEpoch);
                } else {
                    dlpSharePoint(sb, r, tenant, domain, eventEpoch);
                }
                break;
            default:
                throw new IllegalStateException();
        }
        int target = src.recordBytes;
        int have = sb.length() - start + 50;
        if (target > have + 80) {
            int len = Math.min(FILLER.length() - 1, target - have - 80);
            int off = r.nextInt(FILLER.length() - len);
            sb.append("\"AppAccessContext\":{\"ClientAppName\":\"Office 365 Shell WCSS-Client\",\"UniqueTokenId\":\"")
                    .append(FILLER, off, off + len)
                    .append("\"},");
        }
        str(sb, "Id", id);
        sb.setCharAt(sb.length() - 1, '}');
    }

    // ------------------------------------------------------------------ workloads

    private static void common(
            StringBuilder sb,
            SplittableRandom r,
            String tenant,
            long epoch,
            String operation,
            int recordType,
            String workload,
            String userId,
            int userType) {
        str(sb, "CreationTime", time(epoch));
        str(sb, "Operation", operation);
        str(sb, "OrganizationId", tenant);
        num(sb, "RecordType", recordType);
        str(sb, "UserId", userId);
        num(sb, "UserType", userType);
        num(sb, "Version", 1);
        str(sb, "Workload", workload);
    }

    private static void result(StringBuilder sb, SplittableRandom r) {
        String rs = RESULT[r.nextInt(RESULT.length)];
        if (rs != null) {
            str(sb, "ResultStatus", rs);
        }
    }

    private static String user(SplittableRandom r, String domain) {
        return FIRST[r.nextInt(FIRST.length)] + "@" + domain;
    }

    private static String ip(SplittableRandom r) {
        switch (r.nextInt(6)) {
            case 0:
                return "203.0.113." + r.nextInt(255);
            case 1:
                return "198.51.100." + r.nextInt(255) + ":" + (1024 + r.nextInt(60000));
            case 2:
                return "::ffff:192.0.2." + r.nextInt(255);
            case 3:
                return "2001:db8::" + Integer.toHexString(r.nextInt(65536));
            case 4:
                return "[2001:db8::" + Integer.toHexString(r.nextInt(65536)) + "]:" + (1024 + r.nextInt(60000));
            default:
                return "192.0.2." + r.nextInt(255);
        }
    }

    private static String rguid(SplittableRandom r) {
        return guid(r.nextLong(), r.nextLong());
    }

    private static String server(SplittableRandom r) {
        return SERVERS[r.nextInt(SERVERS.length)] + (1000 + r.nextInt(9000)) + " (15.20." + (7000 + r.nextInt(200))
                + ".0" + (10 + r.nextInt(20)) + ")";
    }

    private static void exchangeItem(StringBuilder sb, SplittableRandom r, String tenant, String domain, long epoch) {
        String owner = user(r, domain);
        boolean system = r.nextInt(4) == 0;
        String userId = system ? "S-1-5-18" : owner;
        common(sb, r, tenant, epoch, EXO_OPS[r.nextInt(EXO_OPS.length)], 2, "Exchange", userId, system ? 2 : 0);
        str(sb, "OrganizationName", domain);
        str(sb, "UserKey", system ? "S-1-5-18" : "1003200" + (100000000L + r.nextInt(899999999)));
        str(sb, "MailboxGuid", rguid(r));
        String ip = ip(r);
        str(sb, "ClientIPAddress", ip);
        str(sb, "ClientIP", ip);
        sb.append("\"Item\":{\"Id\":\"LgAAAAB1c2VyLW1haWxib3gtZm9sZGVy")
                .append(r.nextInt(100000))
                .append("\",\"ParentFolder\":{\"Path\":\"\\\\Inbox\",\"Name\":\"Inbox\",\"Id\":\"LgAAAAB")
                .append(Long.toHexString(r.nextLong()))
                .append("\"},\"Subject\":\"Quarterly numbers ")
                .append(r.nextInt(100))
                .append("\",\"SizeInBytes\":")
                .append(1000 + r.nextInt(90000))
                .append("},");
        str(sb, "LogonUserSid", "S-1-5-21-1111111111-2222222222-3333333333-" + (1000 + r.nextInt(9000)));
        // the documented quirk: a trailing CR LF inside OriginatingServer
        str(sb, "OriginatingServer", server(r) + (r.nextBoolean() ? "\r\n" : ""));
        str(sb, "ClientInfoString", r.nextBoolean() ? "Client=OWA;Action=ViaProxy" : "Client=REST;Client=RESTSystem;;");
        str(sb, "MailboxOwnerUPN", owner);
        str(sb, "MailboxOwnerSid", "S-1-5-21-1111111111-2222222222-3333333333-" + (1000 + r.nextInt(9000)));
        result(sb, r);
        bool(sb, "ExternalAccess", r.nextInt(5) == 0);
        num(sb, "LogonType", r.nextInt(3));
        num(sb, "InternalLogonType", r.nextInt(2));
    }

    private static void exchangeAdmin(StringBuilder sb, SplittableRandom r, String tenant, String domain, long epoch) {
        boolean system = r.nextBoolean();
        String userId = system ? "NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)" : user(r, domain);
        common(sb, r, tenant, epoch, EXO_ADMIN[r.nextInt(EXO_ADMIN.length)], 1, "Exchange", userId, system ? 3 : 2);
        str(sb, "UserKey", userId);
        str(sb, "OriginatingServer", server(r));
        str(sb, "ClientAppId", "");
        str(sb, "AppId", "");
        str(sb, "OrganizationName", domain);
        str(sb, "ObjectId", r.nextBoolean() ? domain + "\\Transport Settings" : user(r, domain));
        sb.append("\"Parameters\":[{\"Name\":\"Identity\",\"Value\":\"")
                .append(domain)
                .append("\"},{\"Name\":\"DomainController\",\"Value\":\"\"}],");
        str(sb, "ResultStatus", r.nextInt(8) == 0 ? "False" : "True");
        bool(sb, "ExternalAccess", r.nextBoolean());
    }

    private static void sharePoint(StringBuilder sb, SplittableRandom r, String tenant, String domain, long epoch) {
        String org = domain.substring(0, domain.indexOf('.'));
        boolean oneDrive = r.nextBoolean();
        String u = user(r, domain);
        boolean sharing = r.nextInt(6) == 0;
        String op = sharing ? SHARE_OPS[r.nextInt(SHARE_OPS.length)] : SP_OPS[r.nextInt(SP_OPS.length)];
        common(sb, r, tenant, epoch, op, sharing ? 14 : 6, oneDrive ? "OneDrive" : "SharePoint", u, 0);
        String site = oneDrive
                ? "https://" + org + "-my.sharepoint.com/personal/"
                        + u.replace('@', '_').replace('.', '_') + "/"
                : "https://" + org + ".sharepoint.com/sites/Team" + r.nextInt(40) + "/";
        String ext = EXT[r.nextInt(EXT.length)];
        String file = "Report-" + r.nextInt(10000) + "." + ext;
        str(sb, "SiteUrl", site);
        str(sb, "ListId", rguid(r));
        str(sb, "SourceRelativeUrl", oneDrive ? "Documents" : "Shared Documents/Projects");
        str(sb, "SourceFileExtension", ext);
        str(sb, "SourceFileName", file);
        str(sb, "EventSource", "SharePoint");
        str(sb, "ItemType", r.nextInt(8) == 0 ? "Folder" : "File");
        str(sb, "UserAgent", AGENTS[r.nextInt(AGENTS.length)]);
        str(sb, "ClientIP", ip(r));
        str(sb, "CorrelationId", rguid(r));
        str(sb, "ObjectId", site + "Documents/" + file);
        str(sb, "WebId", rguid(r));
        str(sb, "UserKey", "i:0h.f|membership|1003200" + Long.toHexString(r.nextLong() & 0xFFFFFFFFFL) + "@live.com");
        str(sb, "ListItemUniqueId", rguid(r));
        str(sb, "Site", rguid(r));
        if (sharing) {
            str(sb, "TargetUserOrGroupName", r.nextBoolean() ? user(r, "example.org") : "Anyone");
            str(sb, "TargetUserOrGroupType", r.nextBoolean() ? "Guest" : "Member");
        }
        if (r.nextInt(3) == 0) {
            result(sb, r);
        }
    }

    private static void aadLogon(StringBuilder sb, SplittableRandom r, String tenant, String domain, long epoch) {
        boolean failed = r.nextInt(6) == 0;
        String u = user(r, domain);
        String puid = "10032000" + Long.toHexString(r.nextLong() & 0xFFFFFFFFL).toUpperCase();
        String ip = ip(r);
        common(sb, r, tenant, epoch, failed ? "UserLoginFailed" : "UserLoggedIn", 15, "AzureActiveDirectory", u, 0);
        str(sb, "InterSystemsId", rguid(r));
        sb.append("\"Actor\":[{\"Type\":0,\"ID\":\"")
                .append(rguid(r))
                .append("\"},{\"Type\":5,\"ID\":\"")
                .append(u)
                .append("\"},{\"Type\":3,\"ID\":\"")
                .append(puid)
                .append("\"}],");
        str(sb, "ActorContextId", tenant);
        str(sb, "ActorIpAddress", ip);
        str(sb, "UserKey", puid + "@" + domain);
        str(sb, "ClientIP", ip);
        str(sb, "ApplicationId", rguid(r));
        str(sb, "SupportTicketId", "");
        sb.append("\"Target\":[{\"Type\":0,\"ID\":\"00000003-0000-0000-c000-000000000000\"}],");
        str(sb, "ObjectId", "00000003-0000-0000-c000-000000000000");
        sb.append("\"ModifiedProperties\":[],");
        str(sb, "ResultStatus", failed ? "Failed" : (r.nextBoolean() ? "Succeeded" : "Success"));
        str(sb, "IntraSystemId", rguid(r));
        sb.append("\"ExtendedProperties\":[{\"Name\":\"UserAgent\",\"Value\":\"")
                .append(AGENTS[r.nextInt(2)])
                .append(
                        "\"},{\"Name\":\"RequestType\",\"Value\":\"OAuth2:Authorize\"},{\"Name\":\"ResultStatusDetail\",\"Value\":\"")
                .append(failed ? "Redirect" : "Success")
                .append("\"},{\"Name\":\"KeepMeSignedIn\",\"Value\":\"False\"}],");
        str(sb, "TargetContextId", tenant);
        num(sb, "AzureActiveDirectoryEventType", 1);
        if (failed) {
            num(sb, "ErrorNumber", 50126);
            str(sb, "LogonError", "InvalidUserNameOrPassword");
        }
    }

    private static void aadAdmin(StringBuilder sb, SplittableRandom r, String tenant, String domain, long epoch) {
        String u = "admin@" + domain;
        common(sb, r, tenant, epoch, AAD_ADMIN[r.nextInt(AAD_ADMIN.length)], 8, "AzureActiveDirectory", u, 0);
        String ip = ip(r);
        sb.append("\"Actor\":[{\"Type\":5,\"ID\":\"")
                .append(u)
                .append("\"},{\"Type\":3,\"ID\":\"10032000BBBB2E16\"},{\"Type\":2,\"ID\":\"User\"}],");
        str(sb, "ActorContextId", tenant);
        str(sb, "ActorIpAddress", ip);
        str(sb, "UserKey", "10032000BBBB2E16@" + domain);
        str(sb, "ClientIP", ip);
        str(sb, "SupportTicketId", "");
        sb.append("\"Target\":[{\"Type\":2,\"ID\":\"Application\"},{\"Type\":1,\"ID\":\"collector-app-")
                .append(r.nextInt(50))
                .append("\"}],");
        str(sb, "ObjectId", r.nextBoolean() ? "Not Available" : "Unknown");
        // JSON inside strings, with CR LF, as the service emits it
        sb.append(
                "\"ModifiedProperties\":[{\"Name\":\"RequiredResourceAccess\",\"OldValue\":\"[\\r\\n  {\\r\\n    \\\"ResourceAppId\\\": \\\"c5393580-f805-4401-95e8-94b7a6ef2fc2\\\"\\r\\n  }\\r\\n]\",\"NewValue\":\"[]\"},{\"Name\":\"Included Updated Properties\",\"OldValue\":\"\",\"NewValue\":\"RequiredResourceAccess\"}],");
        str(sb, "ResultStatus", r.nextInt(10) == 0 ? "Failure" : "Success");
        sb.append(
                "\"ExtendedProperties\":[{\"Name\":\"additionalDetails\",\"Value\":\"{\\\"User-Agent\\\":\\\"Mozilla/5.0\\\"}\"},{\"Name\":\"resultType\",\"Value\":\"Success\"},{\"Name\":\"auditEventCategory\",\"Value\":\"ApplicationManagement\"}],");
        str(sb, "TargetContextId", tenant);
        num(sb, "AzureActiveDirectoryEventType", 1);
    }

    private static void general(StringBuilder sb, SplittableRandom r, String tenant, String domain, long epoch) {
        int kind = r.nextInt(20);
        if (kind < 9) {
            boolean app = r.nextInt(5) == 0;
            String op = app ? "TeamCreated" : TEAMS_OPS[r.nextInt(TEAMS_OPS.length)];
            common(sb, r, tenant, epoch, op, 25, "MicrosoftTeams", app ? "Application" : user(r, domain), app ? 5 : 0);
            str(sb, "UserKey", app ? "" : rguid(r));
            str(
                    sb,
                    "TeamGuid",
                    "19:" + Long.toHexString(r.nextLong()) + Long.toHexString(r.nextLong()) + "@thread.skype");
            String team = "Project " + (char) ('A' + r.nextInt(26));
            str(sb, "TeamName", team);
            str(sb, "ItemName", team);
            if (op.startsWith("Member")) {
                sb.append("\"Members\":[{\"Role\":")
                        .append(r.nextInt(2))
                        .append(",\"UPN\":\"")
                        .append(user(r, domain))
                        .append("\",\"DisplayName\":\"")
                        .append(FIRST[r.nextInt(FIRST.length)])
                        .append("\"}],");
            }
        } else if (kind < 14) {
            common(sb, r, tenant, epoch, PBI_OPS[r.nextInt(PBI_OPS.length)], 20, "PowerBI", user(r, domain), 0);
            str(
                    sb,
                    "UserKey",
                    "1003200" + Long.toHexString(r.nextLong() & 0xFFFFFFFFFL).toUpperCase());
            str(sb, "ClientIP", ip(r));
            str(sb, "UserAgent", AGENTS[r.nextInt(2)]);
            str(sb, "Activity", "ViewReport");
            str(sb, "ItemName", "Sales " + r.nextInt(30));
            str(sb, "WorkSpaceName", "Finance");
            str(sb, "ReportName", "Sales " + r.nextInt(30));
            str(sb, "ObjectId", "Sales " + r.nextInt(30));
            str(sb, "ResultStatus", "InProgress");
            // JSON-encoded string, as the service sends it
            str(
                    sb,
                    "OperationProperties",
                    "[{\"Name\":\"SystemArtifactType\",\"Value\":\"None\"},"
                            + "{\"Name\":\"ReportType\",\"Value\":\"PowerBIReport\"}]");
            bool(sb, "IsSuccess", true);
            str(sb, "RequestId", rguid(r));
        } else if (kind < 18) {
            common(sb, r, tenant, epoch, YAMMER_OPS[r.nextInt(YAMMER_OPS.length)], 22, "Yammer", user(r, domain), 0);
            str(sb, "UserKey", String.valueOf(1000000000L + r.nextInt(900000000)));
            num(sb, "ActorYammerUserId", 1000000000L + r.nextInt(900000000));
            str(sb, "ActorUserId", user(r, domain));
            num(sb, "GroupId", 100000 + r.nextInt(900000));
            str(sb, "GroupName", "All Company");
            num(sb, "MessageId", 2000000000L + r.nextInt(900000000));
            result(sb, r);
        } else {
            // a RecordType number the consumer has never seen (the enum grows constantly)
            int unknown = 500 + r.nextInt(400);
            common(
                    sb,
                    r,
                    tenant,
                    epoch,
                    "FutureOperation" + r.nextInt(5),
                    unknown,
                    "FutureWorkload" + (unknown % 3),
                    user(r, domain),
                    r.nextInt(11));
            str(sb, "UserKey", rguid(r));
            str(sb, "ObjectId", "Unknown (Unknown)");
            sb.append("\"NewShape\":{\"Nested\":[1,2,3],\"Flag\":null},");
            result(sb, r);
        }
    }

    private static void policyDetails(StringBuilder sb, SplittableRandom r, String location) {
        sb.append("\"PolicyDetails\":[{\"Rules\":[{\"Severity\":\"")
                .append(r.nextBoolean() ? "High" : "Low")
                .append("\",\"RuleId\":\"")
                .append(rguid(r))
                .append(
                        "\",\"ConditionsMatched\":{\"OtherConditions\":[{\"Name\":\"AccessScope\",\"Value\":\"IncludeExternalUsers\"}],\"SensitiveInformation\":[{\"Count\":")
                .append(1 + r.nextInt(20))
                .append(",\"UniqueCount\":1,\"Confidence\":")
                .append(65 + r.nextInt(35))
                .append(",\"Location\":\"")
                .append(location)
                .append("\",\"SensitiveType\":\"")
                .append(SENSITIVE[r.nextInt(SENSITIVE.length)])
                .append(
                        "\"}]},\"Actions\":[\"BlockAccess\",\"NotifyUser\",\"GenerateIncidentReport\"],\"RuleName\":\"High volume of card numbers\",\"ActionParameters\":[\"GenerateIncidentReport:compliance@contoso.onmicrosoft.com\"],\"RuleMode\":\"Enable\"}],\"PolicyName\":\"PCI\",\"PolicyId\":\"")
                .append(rguid(r))
                .append("\"}],");
    }

    private static void dlpExchange(StringBuilder sb, SplittableRandom r, String tenant, String domain, long epoch) {
        common(sb, r, tenant, epoch, "DlpRuleMatch", 13, "Exchange", "DlpAgent", 4);
        String msg = "<" + SERVERS[r.nextInt(SERVERS.length)]
                + Long.toHexString(r.nextLong()).toUpperCase() + "@" + domain + ">";
        bool(sb, "SensitiveInfoDetectionIsIncluded", false);
        str(sb, "ObjectId", msg);
        str(sb, "UserKey", String.valueOf(1000000000000000000L + (r.nextLong() & 0xFFFFFFFFFFFFL)));
        policyDetails(sb, r, "Message Body");
        sb.append("\"ExchangeMetaData\":{\"From\":\"")
                .append(user(r, domain))
                .append("\",\"CC\":[],\"BCC\":[],\"To\":[\"")
                .append(user(r, "example.org"))
                .append("\"],\"FileSize\":")
                .append(1000 + r.nextInt(50000))
                .append(",\"UniqueID\":\"")
                .append(rguid(r))
                .append("\",\"MessageID\":\"")
                .append(msg)
                .append("\",\"RecipientCount\":1,\"Sent\":\"")
                .append(time(epoch - 1))
                .append("\",\"Subject\":\"Quarterly numbers\"},");
        str(sb, "IncidentId", rguid(r));
        if (r.nextInt(4) == 0) {
            // ExceptionInfo: sometimes a string containing JSON, sometimes an object
            if (r.nextBoolean()) {
                str(sb, "ExceptionInfo", "{\"Reason\":\"Override\",\"Justification\":\"Business need\"}");
            } else {
                sb.append("\"ExceptionInfo\":{\"Reason\":\"Override\",\"Justification\":\"Business need\"},");
            }
        }
    }

    private static void dlpSharePoint(StringBuilder sb, SplittableRandom r, String tenant, String domain, long epoch) {
        boolean od = r.nextBoolean();
        String agent = od ? "DlpPolicyEventBasedAssistantOneDriveForBusiness" : "DLPAgent";
        common(sb, r, tenant, epoch, "DLPRuleMatch", 11, od ? "OneDrive" : "SharePoint", agent, 4);
        String org = domain.substring(0, domain.indexOf('.'));
        String file = "Cards-" + r.nextInt(1000) + ".xlsx";
        String site = "https://" + org + (od ? "-my" : "") + ".sharepoint.com/sites/Finance";
        bool(sb, "SensitiveInfoDetectionIsIncluded", r.nextBoolean());
        str(sb, "ObjectId", site + "/Shared Documents/" + file);
        str(sb, "UserKey", agent);
        policyDetails(sb, r, "File");
        sb.append("\"SharePointMetaData\":{\"From\":\"")
                .append(user(r, domain))
                .append("\",\"FilePathUrl\":\"")
                .append(site)
                .append("/Shared Documents/")
                .append(file)
                .append("\",\"FileName\":\"")
                .append(file)
                .append("\",\"FileOwner\":\"")
                .append(FIRST[r.nextInt(FIRST.length)])
                .append("\",\"SiteCollectionGuid\":\"")
                .append(rguid(r))
                .append("\",\"SiteCollectionUrl\":\"")
                .append(site)
                .append("\",\"ItemCreationTime\":\"")
                .append(time(epoch - 86400))
                .append("\",\"ItemLastModifiedTime\":\"")
                .append(time(epoch - 60))
                .append("\",\"UniqueID\":\"")
                .append(rguid(r))
                .append("\",\"IsViewableByExternalUsers\":")
                .append(r.nextBoolean())
                .append("},");
        str(sb, "IncidentId", rguid(r));
    }

    // ------------------------------------------------------------------ tiny JSON writer

    /** {@code CreationTime} format: UTC, no fraction, no designator. */
    static String time(long epochSecond) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        StringBuilder sb = new StringBuilder(19);
        pad(sb, t.getYear(), 4).append('-');
        pad(sb, t.getMonthValue(), 2).append('-');
        pad(sb, t.getDayOfMonth(), 2).append('T');
        pad(sb, t.getHour(), 2).append(':');
        pad(sb, t.getMinute(), 2).append(':');
        pad(sb, t.getSecond(), 2);
        return sb.toString();
    }

    static String time(Instant i) {
        return time(i.getEpochSecond());
    }

    private static StringBuilder pad(StringBuilder sb, int v, int width) {
        String s = Integer.toString(v);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(s);
    }

    private static void str(StringBuilder sb, String key, String value) {
        sb.append('"').append(key).append("\":\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append("\",");
    }

    private static void num(StringBuilder sb, String key, long value) {
        sb.append('"').append(key).append("\":").append(value).append(',');
    }

    private static void bool(StringBuilder sb, String key, boolean value) {
        sb.append('"').append(key).append("\":").append(value).append(',');
    }

    static ContentType typeOf(SimBlob b) {
        return b.type();
    }
}
