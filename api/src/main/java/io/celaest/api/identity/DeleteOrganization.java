package io.celaest.api.identity;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.util.UUID;

/** Soft delete: the organization and its users stay in the event log, its API keys stop working. */
public record DeleteOrganization(@TargetAggregateIdentifier UUID organizationId) {
}
