package io.celaest.api.licensing;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

public record CollisionView(UUID id, UUID licenseId, List<String> ips, Instant windowStart, Instant windowEnd,
                            int maxConcurrentIps, String policy, Instant detectedAt, Instant resolvedAt,
                            String resolutionNote) {
}
