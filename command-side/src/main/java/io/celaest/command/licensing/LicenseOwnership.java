package io.celaest.command.licensing;

import io.celaest.api.platform.Caller;
import io.celaest.api.platform.Forbidden;
import io.celaest.api.platform.RuleViolation;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.util.Optional;
import java.util.UUID;

/**
 * Which organization a license belongs to, read from tables written with the events (never behind), so that
 * every license path answers another tenant's license exactly like an unknown one: 404.
 */
@Component
public class LicenseOwnership {

    private final JdbcClient jdbc;

    public LicenseOwnership(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The license's organization when the caller may see it and holds the scope; else 404 (or 403 for scope). */
    public UUID require(Caller caller, UUID licenseId, String scope) {
        UUID organization = organizationOf(licenseId)
                .filter(caller::canSee)
                .orElseThrow(() -> RuleViolation.notFound("LICENSE_NOT_FOUND", "No such license"));
        if (!caller.hasScope(scope)) {
            throw new Forbidden("This action needs the scope '" + scope + "'");
        }
        return organization;
    }

    /** The organization a license belongs to, whoever asks; empty for no such license. */
    public Optional<UUID> organizationOf(UUID licenseId) {
        return jdbc.sql("SELECT organization_id FROM license_keys WHERE license_id = ?")
                .param(licenseId)
                .query(UUID.class)
                .optional();
    }

    /** Lifecycle changes are the platform operator's: others get 404 for what they cannot see, else 403. */
    public void requirePlatformAdmin(Caller caller, UUID licenseId) {
        require(caller, licenseId, io.celaest.api.platform.Scopes.LICENSES_READ);
        if (!caller.isPlatformAdmin()) {
            throw new Forbidden("Only the platform operator may change a license's lifecycle");
        }
    }

    public void requireOrganizationExists(UUID organizationId) {
        boolean exists = jdbc.sql("SELECT 1 FROM organization_slugs WHERE organization_id = ? AND deleted_at IS NULL")
                .param(organizationId)
                .query(Integer.class)
                .optional()
                .isPresent();
        if (!exists) {
            throw RuleViolation.notFound("ORGANIZATION_NOT_FOUND", "No such organization");
        }
    }
}
