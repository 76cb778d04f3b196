package io.celaest.api.identity;

import java.util.UUID;

public record UserDeactivated(UUID organizationId, UUID userId) {
}
