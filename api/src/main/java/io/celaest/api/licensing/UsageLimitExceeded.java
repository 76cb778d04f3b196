package io.celaest.api.licensing;

import io.celaest.api.platform.RuleViolation;

import java.util.Map;

/** A usage record that would exceed the period's limit: 409 with the balance, nothing recorded. */
public class UsageLimitExceeded extends RuleViolation {

    public UsageLimitExceeded(UsageBalance balance, long requested) {
        super(Kind.CONFLICT, "USAGE_LIMIT_EXCEEDED", "Recording " + requested + " " + balance.metric()
                + " would exceed the limit of " + balance.limit() + " for " + balance.period()
                + "; " + balance.remaining() + " remain", Map.of("used", balance.used(), "limit", balance.limit(),
                "remaining", balance.remaining(), "metric", balance.metric(), "period", balance.period()));
    }
}
