package io.celaest.api.system;

import java.time.Instant;

/** Filters of the system events; each optional, {@code type} an event name (NodeStarted, …), {@code to} exclusive. */
public record SystemEventFilter(String type, Instant from, Instant to) {
}
