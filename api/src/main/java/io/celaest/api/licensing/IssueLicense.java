package io.celaest.api.licensing;

import org.axonframework.modelling.command.TargetAggregateIdentifier;
import java.time.Instant;
import java.util.UUID;

/**
 * Issue a license to an organization. Only the SHA-256 of the generated key travels (the key itself is shown
 * once, in the HTTP answer); {@code keyHint} is its last group, for people to tell keys apart.
 */
public record IssueLicense(@TargetAggregateIdentifier UUID licenseId, UUID organizationId, byte[] keyHash, String keyHint, String planCode,
                           UUID productId, LicenseType type, Instant expiresAt, LimitOverrides customLimits) {
}
