package io.celaest.api.identity;

import java.util.Locale;

/** Pricing tiers and their default organization limits (seed document §1–2); -1 means unlimited. */
public enum Plan {
    STARTER(5, 1_000),
    PROFESSIONAL(25, 10_000),
    ENTERPRISE(-1, 100_000);

    private final int maxUsers;
    private final long maxApiCallsPerMonth;

    Plan(int maxUsers, long maxApiCallsPerMonth) {
        this.maxUsers = maxUsers;
        this.maxApiCallsPerMonth = maxApiCallsPerMonth;
    }

    public int maxUsers() {
        return maxUsers;
    }

    public long maxApiCallsPerMonth() {
        return maxApiCallsPerMonth;
    }

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Plan fromCode(String code) {
        return valueOf(code.toUpperCase(Locale.ROOT));
    }
}
