package io.celaest.api.licensing;

import java.util.UUID;

/** {@code used} is the period's total after this record; {@code limit} -1 = unlimited. */
public record UsageRecorded(UUID licenseId, UUID organizationId, UsageMetric metric, long quantity, String period,
                            long used, long limit) {
}
