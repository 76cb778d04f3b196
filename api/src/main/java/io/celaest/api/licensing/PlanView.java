package io.celaest.api.licensing;

import java.time.Instant;

/** A subscription plan as sold; {@code price} is a decimal string (e.g. "29.00"), never a float. */
public record PlanView(String code, String name, String billingCycle, String price, String currency,
                       PlanLimitsView limits, Instant createdAt, Instant updatedAt) {
}
