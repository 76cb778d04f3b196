package io.celaest.api.identity;

import java.util.UUID;

public record OrganizationRenamed(UUID organizationId, String previousName, String name) {
}
