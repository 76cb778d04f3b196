package io.celaest.api.identity;

import java.util.Set;
import java.util.UUID;

public record UserScopesChanged(UUID organizationId, UUID userId, Set<String> previousScopes, Set<String> scopes) {
}
