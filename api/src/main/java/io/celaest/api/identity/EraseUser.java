package io.celaest.api.identity;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.util.Set;
import java.util.UUID;

/**
 * GDPR erasure: the user's personal data becomes unreadable everywhere; the user is deactivated.
 * {@code callerScopes} are the requester's: only full access may erase an active owner.
 */
public record EraseUser(@TargetAggregateIdentifier UUID organizationId, UUID userId, Set<String> callerScopes) {
    /** A command from a node that predates {@code callerScopes} carries none: it may then do nothing guarded. */
    public EraseUser {
        callerScopes = callerScopes == null ? Set.of() : Set.copyOf(callerScopes);
    }
}
