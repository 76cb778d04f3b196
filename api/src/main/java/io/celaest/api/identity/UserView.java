package io.celaest.api.identity;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

public record UserView(UUID id, UUID organizationId, String email, String name, String role, List<String> scopes,
                       boolean active, Instant createdAt, Instant updatedAt, Instant deactivatedAt) {
}
