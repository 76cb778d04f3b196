package io.celaest.api.licensing;

import org.axonframework.modelling.command.TargetAggregateIdentifier;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * More distinct IPs than the license allows at once were seen within the window. {@code suspendAfter}: under the
 * block policy, this many unresolved collisions suspend the license.
 */
public record ReportCollision(@TargetAggregateIdentifier UUID licenseId, UUID collisionId, List<String> ips, Instant windowStart,
                              Instant windowEnd, int suspendAfter) {
}
