package io.github.auditlake.o365.cli;

import io.github.auditlake.o365.api.ContentType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** The {@code --content-type} argument: a wire name (any case), a short alias, a comma-separated list, or all. */
final class ContentTypes {
    /** Short names, as the switches of the PowerShell cmdlets (-Exchange, -AzureAD, -SharePoint, -General, -DLP). */
    private static final Map<String, ContentType> ALIASES = Map.of(
            "azuread", ContentType.AZURE_ACTIVE_DIRECTORY,
            "azureactivedirectory", ContentType.AZURE_ACTIVE_DIRECTORY,
            "exchange", ContentType.EXCHANGE,
            "sharepoint", ContentType.SHAREPOINT,
            "general", ContentType.GENERAL,
            "dlp", ContentType.DLP_ALL);

    static final String NAMES =
            Arrays.stream(ContentType.values()).map(ContentType::wireName).collect(Collectors.joining(", "))
                    + " or all";

    private ContentTypes() {}

    static List<ContentType> parse(String text) {
        if (text == null || text.isBlank()) {
            throw CliException.usage("--content-type is empty: use " + NAMES);
        }
        Set<ContentType> out = new LinkedHashSet<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            if (p.equalsIgnoreCase("all")) {
                out.addAll(Arrays.asList(ContentType.values()));
                continue;
            }
            Optional<ContentType> t =
                    ContentType.fromWireName(p).or(() -> Optional.ofNullable(ALIASES.get(p.toLowerCase(Locale.ROOT))));
            out.add(t.orElseThrow(() -> CliException.usage("unknown content type '" + p + "': use " + NAMES)));
        }
        if (out.isEmpty()) {
            throw CliException.usage("--content-type is empty: use " + NAMES);
        }
        return new ArrayList<>(out);
    }
}
