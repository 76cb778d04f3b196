package io.celaest.api.licensing;

import org.axonframework.modelling.command.TargetAggregateIdentifier;
import java.math.BigDecimal;

public record CreatePlan(@TargetAggregateIdentifier String code, String name, BillingCycle billingCycle, BigDecimal price, String currency,
                         PlanLimits limits) {
}
