package io.celaest.api.identity;

import java.time.Instant;
import java.util.Set;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.util.UUID;

/** The key's secret never enters a message: only its SHA-256 hash travels to the credential store. */
public record CreateApiKey(@TargetAggregateIdentifier UUID organizationId, UUID keyId, String name, Set<String> scopes, Instant expiresAt, String keyPrefix, byte[] keyHash) {
}
