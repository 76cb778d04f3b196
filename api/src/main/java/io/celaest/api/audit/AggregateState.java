package io.celaest.api.audit;

import java.time.Instant;
import java.util.Map;

/** The result of replaying an aggregate's events up to {@code at}: the last sequence applied and the state. */
public record AggregateState(String aggregateType, String aggregateId, Instant at, long version,
                             Instant lastEventAt, String lastEventType, Map<String, Object> state) {
}
