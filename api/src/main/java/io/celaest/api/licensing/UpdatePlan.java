package io.celaest.api.licensing;

import org.axonframework.modelling.command.TargetAggregateIdentifier;
import java.math.BigDecimal;

/** Partial update: null fields keep their value; limit overrides are merged into the current limits. */
public record UpdatePlan(@TargetAggregateIdentifier String code, String name, BillingCycle billingCycle, BigDecimal price, String currency,
                         LimitOverrides limits) {
}
