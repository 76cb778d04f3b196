package io.celaest.api.licensing;

import org.axonframework.modelling.command.TargetAggregateIdentifier;
import java.util.UUID;

public record CancelLicense(@TargetAggregateIdentifier UUID licenseId, String reason) {
}
