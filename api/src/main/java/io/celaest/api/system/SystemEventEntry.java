package io.celaest.api.system;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One system event as the platform operator reads it: its type (the event's name), the node and processor it
 * concerns when any, and every field of the event in {@code details}.
 */
public record SystemEventEntry(UUID id, long eventGlobalIndex, String eventIdentifier, Instant occurredAt,
                               String type, String nodeId, String processor, String correlationId,
                               Map<String, Object> details) {
}
