package io.celaest.api.licensing;

import io.celaest.api.platform.DataSubject;
import io.celaest.api.platform.PersonalData;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * More IPs used the license at once than it allows. {@code ips} are personal data of the license's holder: each is
 * stored encrypted under the license's key, unreadable once the license is erased ({@link LicenseErased}).
 */
public record CollisionDetected(@DataSubject UUID licenseId, UUID organizationId, UUID collisionId,
                                @PersonalData List<String> ips, Instant windowStart, Instant windowEnd,
                                int maxConcurrentIps, CollisionPolicy policy) {
}
