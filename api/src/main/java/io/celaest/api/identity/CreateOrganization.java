package io.celaest.api.identity;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.util.UUID;

/** Creates an organization; limits are the plan's unless overridden (null = plan default). */
public record CreateOrganization(@TargetAggregateIdentifier UUID organizationId, String name, String slug, Plan plan, Integer maxUsersOverride, Long maxApiCallsPerMonthOverride) {
}
