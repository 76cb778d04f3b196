package io.celaest.api.licensing;

import java.math.BigDecimal;

/** The plan as it is after the update (every field), so the read model and licenses need no merging. */
public record PlanUpdated(String code, String name, BillingCycle billingCycle, BigDecimal price, String currency,
                          PlanLimits limits) {
}
