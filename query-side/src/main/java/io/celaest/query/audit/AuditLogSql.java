package io.celaest.query.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import io.celaest.api.audit.AuditLogFilter;
import io.celaest.api.platform.Caller;
import io.celaest.api.platform.Instants;
import io.celaest.projections.platform.Cursor;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The one SELECT behind the audit-log list and its export: the filters as bound parameters, in event-log order
 * (ascending global index, which is also the keyset of the cursor). A tenant caller's organization is always a
 * condition of its own, besides row-level security, so the query uses the organization index.
 */
record AuditLogSql(String sql, List<Object> params) {

    static final String COLUMNS = "id, event_global_index, event_identifier, occurred_at, organization_id, actor_id, "
            + "actor_kind, action, resource_type, resource_id, outcome, failure_reason, client_ip, user_agent, "
            + "correlation_id, event_type, changes";

    /**
     * The page (or, without a limit, the export) of the filter after {@code afterIndex}, within {@code range}: the
     * filters as they are, plus the range as a global-index condition with known values, so that PostgreSQL walks
     * an index from where the matching rows start to where they end (see {@link #probe}).
     */
    static AuditLogSql select(Caller caller, AuditLogFilter filter, Long afterIndex, Integer limit, Range range) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM audit_logs WHERE true");
        List<Object> params = new ArrayList<>();
        condition(sql, params, "organization_id = ?", organization(caller, filter));
        condition(sql, params, "actor_id = ?", filter.actorId());
        condition(sql, params, "resource_type = ?", filter.resourceType());
        condition(sql, params, "resource_id = ?", filter.resourceId());
        condition(sql, params, "action = ?", filter.action());
        condition(sql, params, "outcome = ?", filter.outcome());
        condition(sql, params, "occurred_at >= ?", filter.from() == null ? null : storable(filter.from()));
        condition(sql, params, "occurred_at < ?", filter.to() == null ? null : storable(filter.to()));
        condition(sql, params, "event_global_index > ?", afterIndex);
        if (range.first() != Long.MIN_VALUE) {
            condition(sql, params, "event_global_index >= ?", range.first());
        }
        if (range.last() != Long.MAX_VALUE) {
            condition(sql, params, "event_global_index <= ?", range.last());
        }
        sql.append(" ORDER BY event_global_index");
        if (limit != null) {
            sql.append(" LIMIT ?");
            params.add(limit);
        }
        return new AuditLogSql(sql.toString(), params);
    }

    /** Where in the log the rows of a filter lie: between these global indexes, both inclusive. */
    record Range(long first, long last) {
        /** No filter narrows the log. */
        static final Range ALL = new Range(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** Rows of other hours a range may cross to join the next one, rather than being read as a range of its own. */
    static final long JOIN_GAP = 1000;
    /** At most this many ranges (statements) per page; beyond it the closest ranges are joined. */
    static final int MAX_RANGES = 16;

    /**
     * Where the filter's rows can lie, run in the caller's read (the same snapshot as the pages that follow it):
     * disjoint global-index ranges in ascending order that hold every matching row; empty when no row can match.
     * Equality filters give one range (their {@link #probe}). From/to give the positions of the rows of the hours
     * of [from, to] ({@code audit_log_hours}, V10), joined into islands: normally one, but a log whose early
     * positions hold late times (a bulk import of old entries) has several, and a single hull would make each
     * page walk through everything between them.
     */
    static List<Range> ranges(JdbcClient jdbc, Caller caller, AuditLogFilter filter) {
        Probe probe = probe(caller, filter);
        Optional<Range> equal = probe == null ? Optional.of(Range.ALL)
                : jdbc.sql(probe.sql()).params(probe.params()).query((rs, n) -> probe.range(rs)).single();
        if (equal.isEmpty()) {
            return List.of();
        }
        if (filter.from() == null && filter.to() == null) {
            return List.of(equal.get());
        }
        StringBuilder hours = new StringBuilder("""
                SELECT min(first_index), max(last_index)
                FROM (SELECT first_index, last_index,
                             count(*) FILTER (WHERE first_index > reach + ?) OVER (ORDER BY first_index, last_index) AS island
                      FROM (SELECT first_index, last_index,
                                   max(last_index) OVER (ORDER BY first_index, last_index
                                                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
                            FROM audit_log_hours WHERE true""");
        List<Object> params = new ArrayList<>();
        params.add(JOIN_GAP);
        // occurred_at >= from: its hour is at or after from's; occurred_at < to: its hour is at or before to's
        condition(hours, params, "hour >= ?", filter.from() == null ? null : hour(filter.from()));
        condition(hours, params, "hour <= ?", filter.to() == null ? null : hour(filter.to()));
        condition(hours, params, "last_index >= ?", equal.get().first() == Long.MIN_VALUE ? null : equal.get().first());
        condition(hours, params, "first_index <= ?", equal.get().last() == Long.MAX_VALUE ? null : equal.get().last());
        hours.append(") h) i GROUP BY island ORDER BY 1");
        List<Range> islands = jdbc.sql(hours.toString()).params(params)
                .query((rs, n) -> new Range(Math.max(rs.getLong(1), equal.get().first()),
                        Math.min(rs.getLong(2), equal.get().last())))
                .list();
        return joinClosest(islands, MAX_RANGES);
    }

    /** Joins the ranges separated by the smallest gaps until at most {@code max} are left (still a cover). */
    static List<Range> joinClosest(List<Range> ranges, int max) {
        List<Range> joined = new ArrayList<>(ranges);
        while (joined.size() > max) {
            int closest = 0;
            for (int i = 1; i < joined.size() - 1; i++) {
                if (joined.get(i + 1).first() - joined.get(i).last() < joined.get(closest + 1).first() - joined.get(closest).last()) {
                    closest = i;
                }
            }
            joined.set(closest, new Range(joined.get(closest).first(), joined.get(closest + 1).last()));
            joined.remove(closest + 1);
        }
        return joined;
    }

    /** The probe statement: its first {@code lowers} columns are lower bounds, the others upper bounds. */
    record Probe(String sql, List<Object> params, int lowers) {

        /**
         * The range from the probe's row: the largest lower bound and the smallest upper bound; empty when a
         * filter has no rows at all (its bound is null) or the bounds cross.
         */
        Optional<Range> range(ResultSet rs) throws SQLException {
            int columns = rs.getMetaData().getColumnCount();
            long first = Long.MIN_VALUE;
            long last = Long.MAX_VALUE;
            for (int i = 1; i <= columns; i++) {
                long value = rs.getLong(i);
                if (rs.wasNull()) {
                    return Optional.empty();
                }
                if (i <= lowers) {
                    first = Math.max(first, value);
                } else {
                    last = Math.min(last, value);
                }
            }
            return first > last ? Optional.empty() : Optional.of(new Range(first, last));
        }
    }

    /**
     * One statement of index-only probes telling where the filter's rows can lie: for each equality filter that has
     * an index ending with the global index, the first and last global index of its rows (under the same row-level
     * security as the page); for from/to, the bounds from the per-hour summary {@code audit_log_hours} (V10). It
     * returns the lower bounds, then the upper bounds; {@link #range} combines them. Null when nothing narrows the
     * log. Run it in the same snapshot as the page ({@code TenantReads.readSnapshot}).
     *
     * <p>Why: PostgreSQL assumes a filter's rows are spread evenly through the log. For a tenant whose rows come
     * late, or a one-day window, it walks the global index from the start and skips most of the log; and it cannot
     * see through a subquery's bound at planning time. With the range as plain values it plans from real
     * positions (docs/benchmarks.md, audit).
     */
    static Probe probe(Caller caller, AuditLogFilter filter) {
        List<String> lower = new ArrayList<>();
        List<String> upper = new ArrayList<>();
        List<Object> lowerParams = new ArrayList<>();
        List<Object> upperParams = new ArrayList<>();
        UUID organization = organization(caller, filter);
        if (organization != null) {
            edges(lower, upper, lowerParams, upperParams, "organization_id = ?", organization);
        }
        if (filter.actorId() != null) {
            edges(lower, upper, lowerParams, upperParams, "actor_id = ?", filter.actorId());
        }
        if (filter.resourceType() != null && filter.resourceId() != null) {
            edges(lower, upper, lowerParams, upperParams, "resource_type = ? AND resource_id = ?",
                    filter.resourceType(), filter.resourceId());
        }
        if (filter.action() != null) {
            if (filter.outcome() != null) {
                edges(lower, upper, lowerParams, upperParams, "action = ? AND outcome = ?", filter.action(), filter.outcome());
            } else {
                // (action, outcome, global index) walked once per outcome: the CHECK constraint allows two
                lower.add("least(" + edge("min", "action = ? AND outcome = 'success'") + ", "
                        + edge("min", "action = ? AND outcome = 'failure'") + ")");
                upper.add("greatest(" + edge("max", "action = ? AND outcome = 'success'") + ", "
                        + edge("max", "action = ? AND outcome = 'failure'") + ")");
                lowerParams.addAll(List.of(filter.action(), filter.action()));
                upperParams.addAll(List.of(filter.action(), filter.action()));
            }
        } else if ("failure".equals(filter.outcome())) {
            edges(lower, upper, lowerParams, upperParams, "outcome = ?", filter.outcome()); // partial index
        }
        if (lower.isEmpty() && upper.isEmpty()) {
            return null;
        }
        List<String> columns = new ArrayList<>(lower);
        columns.addAll(upper);
        List<Object> params = new ArrayList<>(lowerParams);
        params.addAll(upperParams);
        return new Probe("SELECT " + String.join(", ", columns), params, lower.size());
    }

    /**
     * A from/to bound as a value PostgreSQL accepts: an instant of year 300000 is a valid ISO-8601 parameter but
     * out of timestamptz's range, and clamping it selects the same rows.
     */
    static OffsetDateTime storable(Instant bound) {
        return Instants.clamped(bound).atOffset(ZoneOffset.UTC);
    }

    /** The hour of an instant as audit_log_hours numbers it: floor(epoch seconds / 3600), in any time zone. */
    static long hour(Instant instant) {
        return Math.floorDiv(instant.getEpochSecond(), 3600);
    }

    private static void edges(List<String> lower, List<String> upper, List<Object> lowerParams,
                              List<Object> upperParams, String condition, Object... values) {
        lower.add(edge("min", condition));
        upper.add(edge("max", condition));
        lowerParams.addAll(List.of(values));
        upperParams.addAll(List.of(values));
    }

    private static String edge(String aggregate, String condition) {
        return "(SELECT " + aggregate + "(event_global_index) FROM audit_logs WHERE " + condition + ")";
    }

    /** The organization condition: a tenant caller's own, whatever it asked; a platform caller's filter. */
    private static UUID organization(Caller caller, AuditLogFilter filter) {
        return caller.isPlatformWide() ? filter.organizationId() : caller.organizationId();
    }

    private static void condition(StringBuilder sql, List<Object> params, String condition, Object value) {
        if (value != null) {
            sql.append(" AND ").append(condition);
            params.add(value);
        }
    }

    /**
     * One row as the JSON object of {@code AuditLogEntry}, written straight from the result set: the page and the
     * JSON Lines export share it. {@code changes} goes out as PostgreSQL's jsonb text (valid JSON by construction)
     * rather than being parsed into a map and written again.
     */
    static void writeJson(JsonGenerator out, ResultSet rs) throws SQLException, IOException {
        out.writeStartObject();
        out.writeStringField("id", rs.getString("id"));
        out.writeNumberField("eventGlobalIndex", rs.getLong("event_global_index"));
        out.writeStringField("eventIdentifier", rs.getString("event_identifier"));
        out.writeStringField("occurredAt", instant(rs, "occurred_at").toString());
        out.writeStringField("organizationId", rs.getString("organization_id"));
        out.writeStringField("actorId", rs.getString("actor_id"));
        out.writeStringField("actorKind", rs.getString("actor_kind"));
        out.writeStringField("action", rs.getString("action"));
        out.writeStringField("resourceType", rs.getString("resource_type"));
        out.writeStringField("resourceId", rs.getString("resource_id"));
        out.writeStringField("outcome", rs.getString("outcome"));
        out.writeStringField("failureReason", rs.getString("failure_reason"));
        out.writeStringField("clientIp", rs.getString("client_ip"));
        out.writeStringField("userAgent", rs.getString("user_agent"));
        out.writeStringField("correlationId", rs.getString("correlation_id"));
        out.writeStringField("eventType", rs.getString("event_type"));
        String changes = rs.getString("changes");
        out.writeFieldName("changes");
        if (changes == null) {
            out.writeNull();
        } else {
            out.writeRawValue(changes);
        }
        out.writeEndObject();
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime at = rs.getObject(column, OffsetDateTime.class);
        return at == null ? null : at.toInstant();
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
