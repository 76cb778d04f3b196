package io.celaest.api.identity;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.util.UUID;

public record RevokePlatformApiKey(@TargetAggregateIdentifier UUID keyId) {
}
