package io.celaest.api.audit;

import java.time.Instant;
import java.util.UUID;

/** Filters of the audit log; every one is optional, {@code from} inclusive and {@code to} exclusive. */
public record AuditLogFilter(UUID organizationId, String actorId, String resourceType, String resourceId,
                             String action, String outcome, Instant from, Instant to) {
}
