package io.celaest.api.licensing;

import io.celaest.api.platform.Caller;
import io.celaest.api.platform.PageRequest;

import java.time.Instant;
import java.util.UUID;

/** Filters are optional: status, plan code, and licenses expiring before an instant. */
public record ListLicenses(Caller caller, UUID organizationId, LicenseStatus status, String planCode,
                           Instant expiringBefore, PageRequest page) {
}
