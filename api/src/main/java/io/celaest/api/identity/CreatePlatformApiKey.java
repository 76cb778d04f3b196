package io.celaest.api.identity;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/** A key of no organization, with read-only scopes over every tenant (e.g. a platform auditor's). */
public record CreatePlatformApiKey(@TargetAggregateIdentifier UUID keyId, String name, Set<String> scopes,
                                   Instant expiresAt, String keyPrefix, byte[] keyHash) {
}
