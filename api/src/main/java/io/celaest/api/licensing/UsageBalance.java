package io.celaest.api.licensing;

/** The answer to a usage record: what the period has used, its limit and what remains (-1 = unlimited). */
public record UsageBalance(String metric, String period, long used, long limit, long remaining) {

    public static UsageBalance of(UsageMetric metric, String period, long used, long limit) {
        return new UsageBalance(metric.code(), period, used, limit, limit == -1 ? -1 : Math.max(0, limit - used));
    }
}
