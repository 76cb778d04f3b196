package io.celaest.api.identity;

import java.util.UUID;

public record ApiKeyRevoked(UUID organizationId, UUID keyId) {
}
