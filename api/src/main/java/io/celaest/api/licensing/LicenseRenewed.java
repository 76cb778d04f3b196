package io.celaest.api.licensing;

import java.time.Instant;
import java.util.UUID;

public record LicenseRenewed(UUID licenseId, UUID organizationId, Instant previousExpiresAt, Instant expiresAt,
                             LicenseStatus status) {
}
