package io.celaest.api.licensing;

/**
 * Per-license (or partial plan update) overrides of {@link PlanLimits}: null keeps the underlying value.
 */
public record LimitOverrides(Integer maxUsers, Long maxAiRequestsPerMonth, Long maxStorageGb, Integer maxIpBindings,
                             Integer maxConcurrentIps, CollisionPolicy collisionPolicy, Integer bindingTtlDays) {

    public static final LimitOverrides NONE = new LimitOverrides(null, null, null, null, null, null, null);

    public PlanLimits applyTo(PlanLimits base) {
        return new PlanLimits(
                maxUsers != null ? maxUsers : base.maxUsers(),
                maxAiRequestsPerMonth != null ? maxAiRequestsPerMonth : base.maxAiRequestsPerMonth(),
                maxStorageGb != null ? maxStorageGb : base.maxStorageGb(),
                maxIpBindings != null ? maxIpBindings : base.maxIpBindings(),
                maxConcurrentIps != null ? maxConcurrentIps : base.maxConcurrentIps(),
                collisionPolicy != null ? collisionPolicy : base.collisionPolicy(),
                bindingTtlDays != null ? bindingTtlDays : base.bindingTtlDays());
    }
}
