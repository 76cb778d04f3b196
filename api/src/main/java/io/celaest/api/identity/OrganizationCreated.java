package io.celaest.api.identity;

import java.util.UUID;

public record OrganizationCreated(UUID organizationId, String name, String slug, Plan plan, int maxUsers, long maxApiCallsPerMonth, Integer maxUsersOverride, Long maxApiCallsPerMonthOverride) {
}
