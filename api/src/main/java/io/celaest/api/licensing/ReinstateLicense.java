package io.celaest.api.licensing;

import org.axonframework.modelling.command.TargetAggregateIdentifier;
import java.util.UUID;

public record ReinstateLicense(@TargetAggregateIdentifier UUID licenseId) {
}
