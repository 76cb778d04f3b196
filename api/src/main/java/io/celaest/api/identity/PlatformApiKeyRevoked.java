package io.celaest.api.identity;

import java.util.UUID;

public record PlatformApiKeyRevoked(UUID keyId) {
}
