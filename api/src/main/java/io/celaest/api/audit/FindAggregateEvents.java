package io.celaest.api.audit;

import io.celaest.api.platform.Caller;

/**
 * The stored events of one aggregate in sequence order, after {@code afterSequence} (-1 for the start), at most
 * {@code limit}; answers an {@code Optional<AggregateEvents>}, empty for an unknown or foreign aggregate.
 */
public record FindAggregateEvents(Caller caller, String aggregateType, String aggregateId, long afterSequence,
                                  int limit) {
}
