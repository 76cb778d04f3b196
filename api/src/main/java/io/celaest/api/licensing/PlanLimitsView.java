package io.celaest.api.licensing;

/** {@link PlanLimits} as the REST API shows them: camelCase, policy in lower case. */
public record PlanLimitsView(int maxUsers, long maxAiRequestsPerMonth, long maxStorageGb, int maxIpBindings,
                             int maxConcurrentIps, String collisionPolicy, int bindingTtlDays) {

    public static PlanLimitsView of(PlanLimits limits) {
        return new PlanLimitsView(limits.maxUsers(), limits.maxAiRequestsPerMonth(), limits.maxStorageGb(),
                limits.maxIpBindings(), limits.maxConcurrentIps(), limits.collisionPolicy().code(),
                limits.bindingTtlDays());
    }
}
