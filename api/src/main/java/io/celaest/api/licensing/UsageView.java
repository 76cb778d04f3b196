package io.celaest.api.licensing;

import java.util.List;
import java.util.UUID;

/** Usage of one license in one calendar month (UTC), per metric. */
public record UsageView(UUID licenseId, String period, List<UsageBalance> metrics) {
}
