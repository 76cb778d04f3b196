package io.celaest.api.identity;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.util.Set;
import java.util.UUID;

/** {@code callerScopes} are the requester's: only full access may deactivate an owner. */
public record DeactivateUser(@TargetAggregateIdentifier UUID organizationId, UUID userId, Set<String> callerScopes) {
    /** A command from a node that predates {@code callerScopes} carries none: it may then do nothing guarded. */
    public DeactivateUser {
        callerScopes = callerScopes == null ? Set.of() : Set.copyOf(callerScopes);
    }
}
