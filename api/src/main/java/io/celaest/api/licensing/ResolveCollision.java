package io.celaest.api.licensing;

import org.axonframework.modelling.command.TargetAggregateIdentifier;
import java.util.UUID;

public record ResolveCollision(@TargetAggregateIdentifier UUID licenseId, UUID collisionId, String note) {
}
