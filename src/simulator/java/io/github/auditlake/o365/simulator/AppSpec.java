package io.github.auditlake.o365.simulator;

import java.security.cert.X509Certificate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An app registration (or a managed identity's service principal) in a simulated tenant: client id, optional secret,
 * optional certificates, optional federated credentials, optional managed-identity kind, and the app roles
 * granted on the Office 365 Management APIs resource and on Microsoft Graph (default {@code ActivityFeed.Read},
 * {@code ActivityFeed.ReadDlp} and Graph's {@code AuditLogsQuery.Read.All}; a token carries the roles of its
 * resource only).
 *
 * <pre>{@code
 * AppSpec.of(clientId).secret("s3cret").certificate(cert).roles("ActivityFeed.Read")
 * }</pre>
 */
public final class AppSpec {

    public static final String ROLE_READ = "ActivityFeed.Read";
    public static final String ROLE_READ_DLP = "ActivityFeed.ReadDlp";
    public static final String ROLE_SERVICE_HEALTH = "ServiceHealth.Read";
    /** Microsoft Graph's application permission for audit search ({@link AuditSearch}). */
    public static final String ROLE_AUDIT_QUERY = AuditSearch.ROLE;

    private final String clientId;
    private volatile String secret;
    private final List<X509Certificate> certificates = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Microsoft Graph's application permission for directory lookups ({@link Directory}). */
    public static final String ROLE_DIRECTORY = Directory.ROLE_DIRECTORY;

    private final Set<String> roles =
            new LinkedHashSet<>(List.of(ROLE_READ, ROLE_READ_DLP, ROLE_AUDIT_QUERY, ROLE_DIRECTORY));

    private AppSpec(String clientId) {
        this.clientId = clientId;
    }

    public static AppSpec of(String clientId) {
        return new AppSpec(clientId);
    }

    public AppSpec secret(String secret) {
        this.secret = secret;
        return this;
    }

    /**
     * A federated identity credential (workload identity federation): assertions issued by {@code issuer} for
     * {@code subject}, audience {@code api://AzureADTokenExchange}, signed with the private half of {@code key}.
     */
    public AppSpec federated(String issuer, String subject, java.security.PublicKey key) {
        federated.add(new Federated(
                issuer,
                subject,
                key,
                new java.util.concurrent.atomic.AtomicInteger(),
                new java.util.concurrent.atomic.AtomicReference<>()));
        return this;
    }

    /** The federated credential trusting {@code issuer}, or null. */
    public Federated federated(String issuer) {
        for (Federated f : federated) {
            if (f.issuer().equals(issuer)) {
                return f;
            }
        }
        return null;
    }

    /** A federated credential; {@code used} counts accepted assertions, {@code lastJti} the last one's id. */
    public record Federated(
            String issuer,
            String subject,
            java.security.PublicKey key,
            java.util.concurrent.atomic.AtomicInteger used,
            java.util.concurrent.atomic.AtomicReference<String> lastJti) {}

    private final List<Federated> federated = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** What kind of Azure managed identity this service principal is, if any. */
    public enum ManagedIdentity {
        NONE,
        SYSTEM_ASSIGNED,
        USER_ASSIGNED
    }

    private volatile ManagedIdentity managedIdentity = ManagedIdentity.NONE;

    /**
     * This service principal is the system-assigned managed identity of the Azure resource the client runs on: the
     * simulator's managed-identity endpoint issues its tokens for requests without a {@code client_id}. At most one per
     * simulator. Its roles are the app role assignments of the identity.
     */
    public AppSpec systemAssignedIdentity() {
        managedIdentity = ManagedIdentity.SYSTEM_ASSIGNED;
        return this;
    }

    /**
     * This service principal is a user-assigned managed identity attached to the resource the client runs on: the
     * managed-identity endpoint issues its tokens for requests with {@code client_id} = {@link #clientId()}.
     */
    public AppSpec userAssignedIdentity() {
        managedIdentity = ManagedIdentity.USER_ASSIGNED;
        return this;
    }

    public ManagedIdentity managedIdentity() {
        return managedIdentity;
    }

    public AppSpec certificate(X509Certificate cert) {
        this.certificates.add(cert);
        return this;
    }

    /** Replaces the granted roles (may be empty: tokens then carry no {@code roles}). */
    public AppSpec roles(String... roles) {
        this.roles.clear();
        this.roles.addAll(List.of(roles));
        return this;
    }

    /** Grants no role at all: tokens carry no {@code roles} claim (AF10001 with an empty permission set). */
    public AppSpec noRoles() {
        this.roles.clear();
        return this;
    }

    public String clientId() {
        return clientId;
    }

    public String secret() {
        return secret;
    }

    public List<X509Certificate> certificates() {
        return List.copyOf(certificates);
    }

    public Set<String> roles() {
        return Set.copyOf(roles);
    }

    List<String> rolesOrdered() {
        return List.copyOf(roles);
    }
}
