package io.celaest.api.identity;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.util.UUID;

/** GDPR erasure: the user's personal data becomes unreadable everywhere; the user is deactivated. */
public record EraseUser(@TargetAggregateIdentifier UUID organizationId, UUID userId) {
}
