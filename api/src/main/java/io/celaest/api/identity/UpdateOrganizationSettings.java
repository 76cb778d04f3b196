package io.celaest.api.identity;

import java.util.Map;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.util.UUID;

public record UpdateOrganizationSettings(@TargetAggregateIdentifier UUID organizationId, Map<String, Object> settings) {
}
