package io.celaest.api.licensing;

import java.util.UUID;

public record LicenseReinstated(UUID licenseId, UUID organizationId, LicenseStatus status) {
}
