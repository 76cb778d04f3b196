package io.celaest.api.identity;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.util.UUID;

public record ChangeOrganizationPlan(@TargetAggregateIdentifier UUID organizationId, Plan plan) {
}
