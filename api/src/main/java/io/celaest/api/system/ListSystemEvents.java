package io.celaest.api.system;

import io.celaest.api.platform.Caller;
import io.celaest.api.platform.PageRequest;

/** System events in event-log order (ascending global index); answers a {@link SystemEventPage}. */
public record ListSystemEvents(Caller caller, SystemEventFilter filter, PageRequest page) {
}
