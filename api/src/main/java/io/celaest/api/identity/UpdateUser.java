package io.celaest.api.identity;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.util.Set;
import java.util.UUID;

/**
 * Changes the given fields of a user; null fields stay as they are. {@code callerScopes} are the requester's: only
 * full access may change an owner.
 */
public record UpdateUser(@TargetAggregateIdentifier UUID organizationId, UUID userId, String name, UserRole role,
                         Set<String> scopes, Set<String> callerScopes) {
    /** A command from a node that predates {@code callerScopes} carries none: it may then do nothing guarded. */
    public UpdateUser {
        callerScopes = callerScopes == null ? Set.of() : Set.copyOf(callerScopes);
    }
}
