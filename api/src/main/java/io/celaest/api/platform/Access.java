package io.celaest.api.platform;

import java.util.UUID;

/** The two checks every tenant-owned path makes, in this order: may the caller see it, and may it act. */
public final class Access {

    private Access() {
    }

    /** A foreign organization answers 404 exactly like an unknown one, so ids cannot be probed. */
    public static void requireOrganization(Caller caller, UUID organizationId, String scope) {
        if (!caller.canSee(organizationId)) {
            throw RuleViolation.notFound("ORGANIZATION_NOT_FOUND", "No such organization");
        }
        if (!caller.hasScope(scope)) {
            throw new Forbidden("This action needs the scope '" + scope + "'");
        }
    }

    public static void requirePlatformAdmin(Caller caller) {
        if (!caller.isPlatformAdmin()) {
            throw new Forbidden("Only the platform operator may do this");
        }
    }
}
