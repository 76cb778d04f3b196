package io.celaest.api.identity;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** An API key as listed: its prefix identifies it to people; the secret is never shown again. */
public record ApiKeyView(UUID id, UUID organizationId, String name, String prefix, List<String> scopes,
                         Instant expiresAt, Instant createdAt, Instant lastUsedAt, Instant revokedAt) {
}
