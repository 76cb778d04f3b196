package io.celaest.api.audit;

import io.celaest.api.platform.Caller;

import java.time.Instant;

/**
 * One aggregate's state as of an instant, rebuilt by replaying its events with a timestamp up to it; answers an
 * {@code Optional<AggregateState>}, empty when the aggregate is unknown, foreign or did not exist yet.
 */
public record FindAggregateState(Caller caller, String aggregateType, String aggregateId, Instant at) {
}
