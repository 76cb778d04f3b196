package io.celaest.api.audit;

import java.util.List;

/** One page of the audit log; {@code nextCursor} is null on the last page. */
public record AuditLogPage(List<AuditLogEntry> items, String nextCursor) {
}
