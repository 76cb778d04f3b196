package io.celaest.api.identity;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

public record PlatformApiKeyCreated(UUID keyId, String name, String keyPrefix, Set<String> scopes, Instant expiresAt) {
}
