package io.celaest.api.identity;

import java.util.UUID;

public record OrganizationLimitsOverridden(UUID organizationId, Integer maxUsersOverride, Long maxApiCallsPerMonthOverride, int maxUsers, long maxApiCallsPerMonth) {
}
