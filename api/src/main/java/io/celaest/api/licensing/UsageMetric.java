package io.celaest.api.licensing;

import java.util.Locale;

/** What usage is metered in; each metric has its monthly limit among a plan's limits. */
public enum UsageMetric {
    AI_REQUESTS, STORAGE_GB;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static UsageMetric fromCode(String code) {
        return valueOf(code.toUpperCase(Locale.ROOT));
    }

    /** The limit of this metric per calendar month (UTC); -1 = unlimited. */
    public long limitIn(PlanLimits limits) {
        return switch (this) {
            case AI_REQUESTS -> limits.maxAiRequestsPerMonth();
            case STORAGE_GB -> limits.maxStorageGb();
        };
    }
}
