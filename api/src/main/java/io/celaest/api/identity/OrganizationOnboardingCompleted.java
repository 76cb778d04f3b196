package io.celaest.api.identity;

import java.util.UUID;

public record OrganizationOnboardingCompleted(UUID organizationId) {
}
