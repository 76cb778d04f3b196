package io.celaest.api.identity;

import java.util.UUID;

public record OrganizationDeleted(UUID organizationId) {
}
