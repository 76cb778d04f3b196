package io.celaest.api.licensing;

import java.util.List;
import java.util.UUID;

/**
 * The license's personal-data key was destroyed: the device identifiers of its holder (binding values, collision
 * IPs, validations' IPs and fingerprints) read as erased. {@code bindingIds} and {@code collisionIds} name every
 * binding and collision the license ever had, so read models keyed by them can be scrubbed too.
 */
public record LicenseErased(UUID licenseId, UUID organizationId, List<UUID> bindingIds, List<UUID> collisionIds) {
}
