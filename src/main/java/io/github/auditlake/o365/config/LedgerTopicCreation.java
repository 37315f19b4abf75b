package io.github.auditlake.o365.config;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Whether Connect will create the completeness ledger's topic compacted, judged from the connector's
 * {@code topic.creation.*} settings as Connect applies them (KIP-158): topic creation is on for the connector when it
 * sets {@code topic.creation.default.replication.factor}; a topic gets the settings of the first group of
 * {@code topic.creation.groups} whose {@code include} regexes match it and whose {@code exclude} ones do not, else the
 * {@code default} group's. A compacted ledger keeps one entry per blob for as long as the topic lives; a deleting one
 * loses the entries past its retention.
 */
public final class LedgerTopicCreation {
    static final String PREFIX = "topic.creation.";
    static final String GROUPS = PREFIX + "groups";
    static final String DEFAULT_GROUP = "default";

    private LedgerTopicCreation() {}

    /**
     * A warning when the ledger topic is set and the connector's configuration does not make Connect create it
     * compacted; empty when it does, or the ledger is off.
     */
    public static Optional<String> warning(Map<String, String> props, String ledgerTopic) {
        if (ledgerTopic == null || ledgerTopic.isBlank()) {
            return Optional.empty();
        }
        String fix = "define a topic creation group for it: \"topic.creation.groups\": \"ledger\", "
                + "\"topic.creation.ledger.include\": \"" + ledgerTopic
                + "\", \"topic.creation.ledger.cleanup.policy\": \"compact\" (as the example configurations do), "
                + "or create the topic yourself with cleanup.policy=compact";
        if (blank(props.get(PREFIX + DEFAULT_GROUP + ".replication.factor"))) {
            return Optional.of("The completeness ledger topic " + ledgerTopic + " is not created by Connect for this "
                    + "connector (no topic.creation.default.replication.factor): create it with "
                    + "cleanup.policy=compact before the connector starts. A topic the broker auto-creates is not "
                    + "compacted, and its ledger entries are deleted after the retention.");
        }
        String group = DEFAULT_GROUP;
        for (String g : list(props.get(GROUPS))) {
            if (matches(props, g, ledgerTopic)) {
                group = g;
                break;
            }
        }
        String policy = props.get(PREFIX + group + ".cleanup.policy");
        if (policy != null && list(policy).contains("compact")) {
            return Optional.empty();
        }
        return Optional.of("Connect creates the completeness ledger topic " + ledgerTopic + " with the topic creation "
                + "group '" + group + "', whose cleanup.policy is " + (blank(policy) ? "the broker's default" : policy)
                + ", not compact: its ledger entries would be deleted after the retention. To keep one entry per "
                + "blob, " + fix + ".");
    }

    private static boolean matches(Map<String, String> props, String group, String topic) {
        try {
            for (String ex : list(props.get(PREFIX + group + ".exclude"))) {
                if (Pattern.compile(ex).matcher(topic).matches()) {
                    return false;
                }
            }
            for (String in : list(props.get(PREFIX + group + ".include"))) {
                if (Pattern.compile(in).matcher(topic).matches()) {
                    return true;
                }
            }
        } catch (PatternSyntaxException e) {
            return false; // Connect refuses the configuration itself
        }
        return false;
    }

    private static List<String> list(String s) {
        if (blank(s)) {
            return List.of();
        }
        return Arrays.stream(s.split(","))
                .map(String::trim)
                .filter(t -> !t.isEmpty())
                .toList();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
