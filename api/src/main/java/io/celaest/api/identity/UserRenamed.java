package io.celaest.api.identity;

import java.util.UUID;

public record UserRenamed(UUID organizationId, UUID userId, String previousName, String name) {
}
