package io.celaest.api.audit;

import java.util.List;

/** A slice of one aggregate's event stream; {@code nextAfterSequence} is null when the stream ends here. */
public record AggregateEvents(String aggregateType, String aggregateId, List<StoredEvent> events,
                              Long nextAfterSequence) {
}
