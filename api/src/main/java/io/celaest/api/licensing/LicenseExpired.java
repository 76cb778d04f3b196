package io.celaest.api.licensing;

import java.time.Instant;
import java.util.UUID;

/** Applied by the expiry deadline at {@code expiresAt}. */
public record LicenseExpired(UUID licenseId, UUID organizationId, Instant expiresAt) {
}
