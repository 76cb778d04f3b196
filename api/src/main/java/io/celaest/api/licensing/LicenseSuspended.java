package io.celaest.api.licensing;

import java.util.UUID;

/** {@code resumeStatus} is what reinstating returns to (active or trial). */
public record LicenseSuspended(UUID licenseId, UUID organizationId, String reason, LicenseStatus resumeStatus) {
}
