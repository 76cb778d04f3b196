package io.celaest.api.licensing;

import java.util.UUID;

public record LicensePlanChanged(UUID licenseId, UUID organizationId, String previousPlanCode, String planCode) {
}
