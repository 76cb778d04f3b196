package io.celaest.api.licensing;

/**
 * What a plan allows (seed document §2, {@code subscription_plans.limits}); -1 means unlimited. The collision
 * policy decides what happens when more distinct IPs than {@code maxConcurrentIps} use one license within the
 * collision window; bindings unused for {@code bindingTtlDays} are released so a reinstall is not locked out.
 */
public record PlanLimits(int maxUsers, long maxAiRequestsPerMonth, long maxStorageGb, int maxIpBindings,
                         int maxConcurrentIps, CollisionPolicy collisionPolicy, int bindingTtlDays) {

    public PlanLimits {
        if (collisionPolicy == null) {
            throw new IllegalArgumentException("collisionPolicy is required");
        }
        if (maxUsers < -1 || maxAiRequestsPerMonth < -1 || maxStorageGb < -1 || maxIpBindings < -1
                || maxConcurrentIps < -1) {
            throw new IllegalArgumentException("limits are -1 (unlimited) or non-negative");
        }
        if (bindingTtlDays < 1) {
            throw new IllegalArgumentException("bindingTtlDays must be at least 1");
        }
    }

    public static boolean unlimited(long limit) {
        return limit == -1;
    }
}
