package io.celaest.api.licensing;

import java.util.UUID;

public record CollisionResolved(UUID licenseId, UUID organizationId, UUID collisionId, String note) {
}
