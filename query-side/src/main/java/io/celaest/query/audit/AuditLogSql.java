package io.celaest.query.audit;

import io.celaest.api.audit.AuditLogEntry;
import io.celaest.api.audit.AuditLogFilter;
import io.celaest.api.platform.Caller;
import io.celaest.projections.platform.Cursor;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The one SELECT behind the audit-log list and its export: the filters as bound parameters, in event-log order
 * (ascending global index, which is also the keyset of the cursor). A tenant caller's organization is always a
 * condition of its own, besides row-level security, so the query uses the organization index.
 */
record AuditLogSql(String sql, List<Object> params) {

    static final String COLUMNS = "id, event_global_index, event_identifier, occurred_at, organization_id, actor_id, "
            + "actor_kind, action, resource_type, resource_id, outcome, failure_reason, client_ip, user_agent, "
            + "correlation_id, event_type, changes";

    static AuditLogSql select(Caller caller, AuditLogFilter filter, Long afterIndex, Integer limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM audit_logs WHERE true");
        List<Object> params = new ArrayList<>();
        UUID organization = caller.isPlatformWide() ? filter.organizationId() : caller.organizationId();
        condition(sql, params, "organization_id = ?", organization);
        condition(sql, params, "actor_id = ?", filter.actorId());
        condition(sql, params, "resource_type = ?", filter.resourceType());
        condition(sql, params, "resource_id = ?", filter.resourceId());
        condition(sql, params, "action = ?", filter.action());
        condition(sql, params, "outcome = ?", filter.outcome());
        condition(sql, params, "occurred_at >= ?", filter.from() == null ? null : filter.from().atOffset(ZoneOffset.UTC));
        condition(sql, params, "occurred_at < ?", filter.to() == null ? null : filter.to().atOffset(ZoneOffset.UTC));
        condition(sql, params, "event_global_index > ?", afterIndex);
        // Where the matching rows start, from the filter's own index (an index-only probe). PostgreSQL otherwise
        // assumes a filter's rows are spread evenly through the log and walks the global index from its start,
        // skipping everything before a tenant's first row; see docs/benchmarks.md, audit.
        startAt(sql, params, "organization_id = ?", organization);
        startAt(sql, params, "actor_id = ?", filter.actorId());
        if (filter.resourceType() != null && filter.resourceId() != null) {
            sql.append(" AND event_global_index >= (SELECT min(event_global_index) FROM audit_logs"
                    + " WHERE resource_type = ? AND resource_id = ?)");
            params.add(filter.resourceType());
            params.add(filter.resourceId());
        }
        startAt(sql, params, "action = ?", filter.action());
        sql.append(" ORDER BY event_global_index");
        if (limit != null) {
            sql.append(" LIMIT ?");
            params.add(limit);
        }
        return new AuditLogSql(sql.toString(), params);
    }

    private static void startAt(StringBuilder sql, List<Object> params, String condition, Object value) {
        if (value != null) {
            sql.append(" AND event_global_index >= (SELECT min(event_global_index) FROM audit_logs WHERE ")
                    .append(condition).append(')');
            params.add(value);
        }
    }

    private static void condition(StringBuilder sql, List<Object> params, String condition, Object value) {
        if (value != null) {
            sql.append(" AND ").append(condition);
            params.add(value);
        }
    }

    static AuditLogEntry entry(ResultSet rs, Function<String, Map<String, Object>> jsonObject) throws SQLException {
        String changes = rs.getString("changes");
        return new AuditLogEntry(rs.getObject("id", UUID.class), rs.getLong("event_global_index"),
                rs.getString("event_identifier"), instant(rs, "occurred_at"),
                rs.getObject("organization_id", UUID.class), rs.getString("actor_id"), rs.getString("actor_kind"),
                rs.getString("action"), rs.getString("resource_type"), rs.getString("resource_id"),
                rs.getString("outcome"), rs.getString("failure_reason"), rs.getString("client_ip"),
                rs.getString("user_agent"), rs.getString("correlation_id"), rs.getString("event_type"),
                changes == null ? null : jsonObject.apply(changes));
    }

    static java.time.Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp ts = rs.getTimestamp(column);
        return ts == null ? null : ts.toInstant();
    }

    /** Opaque cursor: the global index of the last entry of the page, base64url. */
    static String cursor(long lastIndex) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("audit:" + lastIndex).getBytes(StandardCharsets.UTF_8));
    }

    /** @throws Cursor.InvalidCursor (400) when the text is not a cursor of this list */
    static long afterIndex(String cursor) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!raw.startsWith("audit:")) {
                throw new IllegalArgumentException();
            }
            return Long.parseLong(raw.substring("audit:".length()));
        } catch (RuntimeException e) {
            throw new Cursor.InvalidCursor();
        }
    }
}
