package io.celaest.api.identity;

import java.util.UUID;

public record OrganizationPlanChanged(UUID organizationId, Plan previousPlan, Plan plan, int maxUsers, long maxApiCallsPerMonth) {
}
