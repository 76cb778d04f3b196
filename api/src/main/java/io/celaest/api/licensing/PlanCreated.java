package io.celaest.api.licensing;

import java.math.BigDecimal;

public record PlanCreated(String code, String name, BillingCycle billingCycle, BigDecimal price, String currency,
                          PlanLimits limits) {
}
