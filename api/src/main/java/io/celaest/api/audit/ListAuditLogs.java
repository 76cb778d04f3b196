package io.celaest.api.audit;

import io.celaest.api.platform.Caller;
import io.celaest.api.platform.PageRequest;

/** Audit entries in event-log order (ascending global index); answers an {@link AuditLogPage}. */
public record ListAuditLogs(Caller caller, AuditLogFilter filter, PageRequest page) {
}
