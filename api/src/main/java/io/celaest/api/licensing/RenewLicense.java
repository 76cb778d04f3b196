package io.celaest.api.licensing;

import org.axonframework.modelling.command.TargetAggregateIdentifier;
import java.time.Instant;
import java.util.UUID;

/** Move the end of a subscription or trial to a later instant; an expired license becomes active again. */
public record RenewLicense(@TargetAggregateIdentifier UUID licenseId, Instant expiresAt) {
}
