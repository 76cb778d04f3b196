package io.celaest.api.identity;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.util.UUID;

/** Overrides the plan's limits for one organization; a null field returns that limit to the plan's. */
public record OverrideOrganizationLimits(@TargetAggregateIdentifier UUID organizationId, Integer maxUsers, Long maxApiCallsPerMonth) {
}
