package io.github.auditlake.o365.mapping;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The mapping tables shipped in the plugin, loaded once: record families ({@code families.tsv}), operations
 * ({@code operations.tsv}), and the field rows of each target ({@code ecs.tsv}, {@code ocsf.tsv}).
 */
public final class MappingTables {
    /** A row of {@code families.tsv}. */
    public record Family(
            String name,
            String ecsKind,
            String ecsCategory,
            String ecsType,
            int ocsfClassUid,
            String ocsfClassName,
            int ocsfCategoryUid,
            String ocsfCategoryName,
            int ocsfActivityId,
            String ocsfActivityName) {
        /** True for the OCSF classes whose activities are Create 1, Read 2, Update 3, Delete 4 (rows of family *). */
        boolean crudActivities() {
            return ocsfClassUid == 6001 || ocsfClassUid == 6003;
        }
    }

    /** A row of {@code operations.tsv}. */
    public record Operation(
            String family, String pattern, String ecsType, int ocsfActivityId, String ocsfActivityName) {
        boolean matches(String operation) {
            return pattern.endsWith("*")
                    ? operation.regionMatches(true, 0, pattern, 0, pattern.length() - 1)
                    : operation.equalsIgnoreCase(pattern);
        }
    }

    /** A row of {@code ecs.tsv} or {@code ocsf.tsv}. */
    public record FieldRow(String family, String target, String source, String conversion) {}

    /** The two targets and their field tables. */
    public enum Target {
        ECS("ecs.tsv"),
        OCSF("ocsf.tsv");

        final String resource;

        Target(String resource) {
            this.resource = resource;
        }
    }

    private static final MappingTables STANDARD = new MappingTables();

    private final Map<String, Family> families;
    private final List<Operation> operations;
    private final Map<Target, List<FieldRow>> fields = new LinkedHashMap<>();
    private final Set<String> knownFields;

    private MappingTables() {
        Map<String, Family> f = new LinkedHashMap<>();
        for (String[] r : Tsv.read("families.tsv", 10)) {
            f.put(
                    r[0],
                    new Family(
                            r[0],
                            r[1],
                            r[2],
                            r[3],
                            Integer.parseInt(r[4]),
                            r[5],
                            Integer.parseInt(r[6]),
                            r[7],
                            Integer.parseInt(r[8]),
                            r[9]));
        }
        families = Collections.unmodifiableMap(f);
        List<Operation> ops = new ArrayList<>();
        for (String[] r : Tsv.read("operations.tsv", 5)) {
            if (!r[0].equals("*") && !f.containsKey(r[0])) {
                throw new IllegalStateException("operations.tsv names an unknown family " + r[0]);
            }
            ops.add(new Operation(r[0], r[1], r[2], Integer.parseInt(r[3]), r[4]));
        }
        operations = List.copyOf(ops);
        Set<String> known = new LinkedHashSet<>();
        for (Target t : Target.values()) {
            List<FieldRow> rows = new ArrayList<>();
            for (String[] r : Tsv.read(t.resource, 4)) {
                if (!r[0].equals("*") && !f.containsKey(r[0])) {
                    throw new IllegalStateException(t.resource + " names an unknown family " + r[0]);
                }
                rows.add(new FieldRow(r[0], r[1], r[2], r[3]));
                String top = SourcePath.topLevelField(r[2]);
                if (top != null) {
                    known.add(top);
                }
            }
            fields.put(t, List.copyOf(rows));
        }
        Tsv.read("known-fields.txt", 1).forEach(r -> known.add(r[0]));
        knownFields = Collections.unmodifiableSet(known);
        for (String fam : RecordTypes.standard().entries().stream()
                .map(RecordTypes.Entry::family)
                .distinct()
                .toList()) {
            if (!f.containsKey(fam)) {
                throw new IllegalStateException("record-types.tsv names a family missing from families.tsv: " + fam);
            }
        }
    }

    public static MappingTables standard() {
        return STANDARD;
    }

    public Map<String, Family> families() {
        return families;
    }

    /** The family named {@code name}, or {@value RecordTypes#GENERAL} when there is none of that name. */
    public Family family(String name) {
        Family f = families.get(name);
        return f != null ? f : families.get(RecordTypes.GENERAL);
    }

    public List<Operation> operations() {
        return operations;
    }

    public List<FieldRow> fields(Target t) {
        return fields.get(t);
    }

    /** The top-level record fields some mapping reads or documents: any other one is drift. */
    public Set<String> knownTopLevelFields() {
        return knownFields;
    }

    /** The operation row for {@code operation} in {@code family}, or null (the family's defaults apply). */
    public Operation operation(Family family, String operation) {
        if (operation == null) {
            return null;
        }
        for (Operation o : operations) {
            if (o.family().equals(family.name()) && o.matches(operation)) {
                return o;
            }
        }
        if (family.crudActivities()) {
            for (Operation o : operations) {
                if (o.family().equals("*") && o.matches(operation)) {
                    return o;
                }
            }
        }
        return null;
    }
}
