package io.celaest.api.licensing;

import org.axonframework.modelling.command.TargetAggregateIdentifier;
import java.util.UUID;

/** Meter usage in the calendar month (UTC) {@code period}, formatted YYYY-MM. */
public record RecordUsage(@TargetAggregateIdentifier UUID licenseId, UsageMetric metric, long quantity, String period) {
}
