package io.celaest.api.licensing;

import java.time.Instant;
import java.util.UUID;

public record LicenseIssued(UUID licenseId, UUID organizationId, String keyHint, String planCode, UUID productId,
                            LicenseType type, LicenseStatus status, Instant expiresAt, LimitOverrides customLimits) {
}
