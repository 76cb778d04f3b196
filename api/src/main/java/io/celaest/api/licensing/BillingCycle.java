package io.celaest.api.licensing;

import java.util.Locale;

public enum BillingCycle {
    MONTHLY, YEARLY, ONE_TIME;

    public String code() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static BillingCycle fromCode(String code) {
        return valueOf(code.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
