package io.celaest.api.identity;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.util.Set;
import java.util.UUID;

/**
 * GDPR erasure of what an API key's requests left behind: the client IPs in their metadata become unreadable
 * everywhere; a key still active is revoked first, which takes a caller holding all its scopes
 * ({@code callerScopes} are the requester's).
 */
public record EraseApiKey(@TargetAggregateIdentifier UUID organizationId, UUID keyId, Set<String> callerScopes) {
    /** A command from a node that predates {@code callerScopes} carries none: it may then do nothing guarded. */
    public EraseApiKey {
        callerScopes = callerScopes == null ? Set.of() : Set.copyOf(callerScopes);
    }
}
