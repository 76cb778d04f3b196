package io.celaest.api.licensing;

import java.util.UUID;

public record LicenseCancelled(UUID licenseId, UUID organizationId, String reason) {
}
