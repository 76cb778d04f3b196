package io.celaest.api.identity;

import java.util.UUID;

public record OrganizationSuspended(UUID organizationId, String reason) {
}
