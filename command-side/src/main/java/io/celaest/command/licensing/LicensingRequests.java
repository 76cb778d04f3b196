package io.celaest.command.licensing;

import io.celaest.api.licensing.CollisionPolicy;
import io.celaest.api.licensing.LimitOverrides;
import io.celaest.api.licensing.PlanLimits;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/** Request bodies shared by the licensing endpoints. */
final class LicensingRequests {

    static final String POLICY = "flag|block";

    private LicensingRequests() {
    }

    /** A plan's complete limits (creating a plan): every field is required; -1 = unlimited. */
    record LimitsRequest(@NotNull @Min(-1) Integer maxUsers,
                         @NotNull @Min(-1) Long maxAiRequestsPerMonth,
                         @NotNull @Min(-1) Long maxStorageGb,
                         @NotNull @Min(-1) Integer maxIpBindings,
                         @NotNull @Min(-1) Integer maxConcurrentIps,
                         @NotNull @Pattern(regexp = POLICY) @Schema(allowableValues = {"flag", "block"}) String collisionPolicy,
                         @NotNull @Min(1) @Max(3650) Integer bindingTtlDays) {

        PlanLimits toLimits() {
            return new PlanLimits(maxUsers, maxAiRequestsPerMonth, maxStorageGb, maxIpBindings, maxConcurrentIps,
                    CollisionPolicy.fromCode(collisionPolicy), bindingTtlDays);
        }
    }

    /** Overrides of a plan's limits (a license's custom limits, or a plan update): omitted fields stay. */
    record LimitOverridesRequest(@Min(-1) Integer maxUsers,
                                 @Min(-1) Long maxAiRequestsPerMonth,
                                 @Min(-1) Long maxStorageGb,
                                 @Min(-1) Integer maxIpBindings,
                                 @Min(-1) Integer maxConcurrentIps,
                                 @Pattern(regexp = POLICY) @Schema(allowableValues = {"flag", "block"}) String collisionPolicy,
                                 @Min(1) @Max(3650) Integer bindingTtlDays) {

        LimitOverrides toOverrides() {
            return new LimitOverrides(maxUsers, maxAiRequestsPerMonth, maxStorageGb, maxIpBindings, maxConcurrentIps,
                    collisionPolicy == null ? null : CollisionPolicy.fromCode(collisionPolicy), bindingTtlDays);
        }
    }
}
