package io.celaest.api.identity;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.util.UUID;

/**
 * GDPR erasure of what an API key's requests left behind: the client IPs in their metadata become unreadable
 * everywhere; a key still active is revoked first.
 */
public record EraseApiKey(@TargetAggregateIdentifier UUID organizationId, UUID keyId) {
}
