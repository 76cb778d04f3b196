package io.celaest.api.identity;

import java.util.UUID;

public record UserRoleChanged(UUID organizationId, UUID userId, UserRole previousRole, UserRole role) {
}
