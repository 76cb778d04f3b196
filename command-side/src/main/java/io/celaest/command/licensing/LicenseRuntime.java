package io.celaest.command.licensing;

import io.celaest.api.licensing.BindingKind;
import io.celaest.api.licensing.LicenseStatus;
import io.celaest.api.licensing.PlanLimits;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** What a validation needs to know of a license, as committed: status, end, scope, effective limits, bindings. */
public record LicenseRuntime(UUID id, UUID organizationId, LicenseStatus status, Instant expiresAt, String planCode,
                      UUID productId, PlanLimits limits, Map<String, UUID> bindings, boolean personalDataErased) {

    static String bindingKey(BindingKind kind, String value) {
        return kind.name() + ":" + value;
    }
}
