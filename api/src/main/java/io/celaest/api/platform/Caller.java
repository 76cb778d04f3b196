package io.celaest.api.platform;

import java.util.Set;
import java.util.UUID;

/**
 * Who is calling: the platform operator, an organization's API key, a person, or the system itself.
 * Authorization decisions are plain functions of this record so every side (REST, query handlers, tests)
 * takes them the same way.
 */
public record Caller(ActorKind kind, String actorId, UUID organizationId, Set<String> scopes) {

    public static final String ALL_SCOPES = "*";

    public Caller {
        scopes = Set.copyOf(scopes);
    }

    public static Caller platformAdmin(String actorId) {
        return new Caller(ActorKind.PLATFORM_ADMIN, actorId, null, Set.of(ALL_SCOPES));
    }

    public static Caller system() {
        return new Caller(ActorKind.SYSTEM, "system", null, Set.of(ALL_SCOPES));
    }

    public boolean isPlatformAdmin() {
        return kind == ActorKind.PLATFORM_ADMIN || kind == ActorKind.SYSTEM;
    }

    /**
     * Belongs to no organization: the platform operator, the system, or a platform API key (read-only scopes,
     * e.g. a platform auditor's {@code audit:read}), which sees every tenant within its scopes.
     */
    public boolean isPlatformWide() {
        return organizationId == null && kind != ActorKind.LICENSE_KEY;
    }

    /** The holder of a license key (validation endpoint): sees no organization and holds no scope. */
    public static Caller licenseKeyHolder() {
        return new Caller(ActorKind.LICENSE_KEY, "license-key", null, Set.of());
    }

    /** True when the caller may see the organization at all; anything else must answer 404, not 403. */
    public boolean canSee(UUID organization) {
        return isPlatformWide() || (organizationId != null && organizationId.equals(organization));
    }

    public boolean hasScope(String scope) {
        return scopes.contains(ALL_SCOPES) || scopes.contains(scope);
    }

    public boolean grantsAll(Set<String> requested) {
        return Scopes.grantsAll(scopes, requested);
    }
}
