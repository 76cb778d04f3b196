package io.celaest.api.identity;

import java.util.Set;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.util.UUID;

public record AddUser(@TargetAggregateIdentifier UUID organizationId, UUID userId, String email, String name, UserRole role, Set<String> scopes) {
}
