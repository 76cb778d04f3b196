package io.celaest.api.licensing;

import org.axonframework.modelling.command.TargetAggregateIdentifier;
import java.time.Instant;
import java.util.UUID;

/** Trial to paid subscription; {@code expiresAt} null keeps the trial's end as the first period's end. */
public record ConvertTrial(@TargetAggregateIdentifier UUID licenseId, Instant expiresAt) {
}
