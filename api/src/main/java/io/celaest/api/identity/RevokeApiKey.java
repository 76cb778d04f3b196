package io.celaest.api.identity;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.util.Set;
import java.util.UUID;

/** {@code callerScopes} are the requester's: a key may only be revoked by a caller holding all its scopes. */
public record RevokeApiKey(@TargetAggregateIdentifier UUID organizationId, UUID keyId, Set<String> callerScopes) {
    /** A command from a node that predates {@code callerScopes} carries none: it may then do nothing guarded. */
    public RevokeApiKey {
        callerScopes = callerScopes == null ? Set.of() : Set.copyOf(callerScopes);
    }
}
