package io.celaest.api.identity;

import java.util.Set;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.util.UUID;

/** Changes the given fields of a user; null fields stay as they are. */
public record UpdateUser(@TargetAggregateIdentifier UUID organizationId, UUID userId, String name, UserRole role, Set<String> scopes) {
}
