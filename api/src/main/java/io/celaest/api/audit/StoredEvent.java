package io.celaest.api.audit;

import java.time.Instant;
import java.util.Map;

/** One event as stored in the event log: position, time, type, payload and metadata (as JSON objects). */
public record StoredEvent(long sequence, long globalIndex, String eventIdentifier, Instant timestamp,
                          String eventType, Map<String, Object> payload, Map<String, Object> metadata) {
}
