package io.celaest.api.identity;

import java.util.Set;
import java.util.UUID;

public record UserAdded(UUID organizationId, UUID userId, String email, String name, UserRole role, Set<String> scopes) {
}
