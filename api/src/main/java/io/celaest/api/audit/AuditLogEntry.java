package io.celaest.api.audit;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** One row of the audit log: who did what to which resource, when, from where, with which outcome. */
public record AuditLogEntry(UUID id, long eventGlobalIndex, String eventIdentifier, Instant occurredAt,
                            UUID organizationId, String actorId, String actorKind, String action,
                            String resourceType, String resourceId, String outcome, String failureReason,
                            String clientIp, String userAgent, String correlationId, String eventType,
                            Map<String, Object> changes) {
}
