package io.celaest.api.licensing;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

public record CollisionDetected(UUID licenseId, UUID organizationId, UUID collisionId, List<String> ips,
                                Instant windowStart, Instant windowEnd, int maxConcurrentIps, CollisionPolicy policy) {
}
