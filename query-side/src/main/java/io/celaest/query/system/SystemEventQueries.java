package io.celaest.query.system;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.celaest.api.platform.Access;
import io.celaest.api.system.ListSystemEvents;
import io.celaest.api.system.SystemEventEntry;
import io.celaest.api.system.SystemEventFilter;
import io.celaest.api.system.SystemEventPage;
import io.celaest.projections.platform.Cursor;
import io.celaest.projections.platform.TenantReads;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
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

/**
 * The platform operator's view of the system events, read through {@link TenantReads} like every read model: as
 * {@code celaest_reader} under row-level security, which shows the rows only under the platform scope. In
 * event-log order (ascending global index, the keyset of the cursor).
 */
@Component
public class SystemEventQueries {

    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {
    };
    private static final String CURSOR_PREFIX = "system:";

    private final TenantReads reads;
    private final ObjectMapper json;

    public SystemEventQueries(TenantReads reads, ObjectMapper json) {
        this.reads = reads;
        this.json = json;
    }

    @QueryHandler
    public SystemEventPage handle(ListSystemEvents query) {
        Access.requirePlatformAdmin(query.caller());
        Long after = query.page().cursor() == null ? null : afterIndex(query.page().cursor());
        SystemEventFilter filter = query.filter();
        StringBuilder sql = new StringBuilder("""
                SELECT id, event_global_index, event_identifier, occurred_at, type, node_id, processor, correlation_id,
                       details
                FROM system_events WHERE true""");
        List<Object> params = new ArrayList<>();
        condition(sql, params, "type = ?", filter.type());
        condition(sql, params, "occurred_at >= ?", filter.from() == null ? null : filter.from().atOffset(ZoneOffset.UTC));
        condition(sql, params, "occurred_at < ?", filter.to() == null ? null : filter.to().atOffset(ZoneOffset.UTC));
        condition(sql, params, "event_global_index > ?", after);
        sql.append(" ORDER BY event_global_index LIMIT ?");
        params.add(query.page().limit() + 1);
        List<SystemEventEntry> rows = reads.read(query.caller(), jdbc -> jdbc.sql(sql.toString()).params(params)
                .query(this::entry).list());
        if (rows.size() <= query.page().limit()) {
            return new SystemEventPage(rows, null);
        }
        List<SystemEventEntry> items = List.copyOf(rows.subList(0, query.page().limit()));
        return new SystemEventPage(items, cursor(items.get(items.size() - 1).eventGlobalIndex()));
    }

    private static void condition(StringBuilder sql, List<Object> params, String condition, Object value) {
        if (value != null) {
            sql.append(" AND ").append(condition);
            params.add(value);
        }
    }

    private SystemEventEntry entry(ResultSet rs, int row) throws SQLException {
        Timestamp occurred = rs.getTimestamp("occurred_at");
        return new SystemEventEntry(rs.getObject("id", UUID.class), rs.getLong("event_global_index"),
                rs.getString("event_identifier"), occurred == null ? null : occurred.toInstant(),
                rs.getString("type"), rs.getString("node_id"), rs.getString("processor"),
                rs.getString("correlation_id"), object(rs.getString("details")));
    }

    private Map<String, Object> object(String text) {
        try {
            return json.readValue(text, JSON_OBJECT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Opaque cursor: the global index of the last entry of the page, base64url. */
    static String cursor(long lastIndex) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((CURSOR_PREFIX + lastIndex).getBytes(StandardCharsets.UTF_8));
    }

    /** @throws Cursor.InvalidCursor (400) when the text is not a cursor of this list */
    static long afterIndex(String cursor) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!raw.startsWith(CURSOR_PREFIX)) {
                throw new IllegalArgumentException();
            }
            return Long.parseLong(raw.substring(CURSOR_PREFIX.length()));
        } catch (RuntimeException e) {
            throw new Cursor.InvalidCursor();
        }
    }
}
