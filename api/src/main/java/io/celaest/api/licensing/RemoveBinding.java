package io.celaest.api.licensing;

import org.axonframework.modelling.command.TargetAggregateIdentifier;
import java.util.UUID;

/** {@code inactive}: released because it went unused for the plan's binding TTL; else removed by an admin. */
public record RemoveBinding(@TargetAggregateIdentifier UUID licenseId, UUID bindingId, boolean inactive) {
}
