package io.celaest.api.licensing;

import java.time.Instant;
import java.util.UUID;

public record TrialConverted(UUID licenseId, UUID organizationId, Instant expiresAt) {
}
