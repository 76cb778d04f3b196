package io.celaest.query.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.celaest.api.audit.AuditLogFilter;
import io.celaest.api.platform.Caller;
import io.celaest.projections.platform.TenantReads;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.stereotype.Component;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * One page of the audit log ({@code AuditLogPage} JSON: {@code items}, {@code nextCursor}), written from the
 * result set as it is read. The auditor list has a latency target (p95 ≤ 100 ms at 1M rows, docs/benchmarks.md,
 * audit), and turning each row into records and maps and back into JSON cost more CPU than the query itself.
 * The page is built in memory (at most 200 rows) so that a failure still gets a proper problem response.
 */
@Component
public class AuditLogPages {

    private final TenantReads reads;
    private final JsonFactory factory;

    public AuditLogPages(TenantReads reads, ObjectMapper json) {
        this.reads = reads;
        this.factory = json.getFactory();
    }

    /**
     * The page after {@code cursor} (null: the first) of at most {@code limit} entries the caller may see.
     *
     * @throws io.celaest.api.platform.Forbidden (403) for a caller who is not an auditor
     * @throws io.celaest.api.platform.RuleViolation (404) for another tenant's organization in the filter
     * @throws io.celaest.projections.platform.Cursor.InvalidCursor (400) when the cursor is not one of this list
     */
    public byte[] page(Caller caller, AuditLogFilter requested, String cursor, int limit) {
        AuditLogFilter filter = AuditQueryController.authorize(caller, requested);
        Long after = cursor == null ? null : AuditLogSql.afterIndex(cursor);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.min(limit, 200) * 600);
        reads.readSnapshot(caller, jdbc -> {
            try (JsonGenerator out = factory.createGenerator(bytes)) {
                out.writeStartObject();
                out.writeArrayFieldStart("items");
                // one more row than the page tells whether another page follows
                PageWriter page = new PageWriter(out, limit);
                // the ranges are disjoint and ascending: reading them in turn keeps the log's order
                for (AuditLogSql.Range range : AuditLogSql.ranges(jdbc, caller, filter)) {
                    if (page.full()) {
                        break;
                    }
                    if (after != null && range.last() <= after) {
                        continue;
                    }
                    AuditLogSql select = AuditLogSql.select(caller, filter, after, page.wanted(), range);
                    jdbc.sql(select.sql()).params(select.params()).query(page);
                }
                out.writeEndArray();
                out.writeStringField("nextCursor", page.more ? AuditLogSql.cursor(page.lastIndex) : null);
                out.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return null;
        });
        return bytes.toByteArray();
    }

    /** Writes up to {@code limit} rows; a row beyond them only marks that more follow. */
    private static final class PageWriter implements RowCallbackHandler {
        private final JsonGenerator out;
        private final int limit;
        private int written;
        private long lastIndex;
        private boolean more;

        PageWriter(JsonGenerator out, int limit) {
            this.out = out;
            this.limit = limit;
        }

        boolean full() {
            return more;
        }

        /** Rows to ask the next range for: the rest of the page plus the one that tells if more follow. */
        int wanted() {
            return limit - written + 1;
        }

        @Override
        public void processRow(ResultSet rs) throws SQLException {
            if (written == limit) {
                more = true;
                return;
            }
            try {
                AuditLogSql.writeJson(out, rs);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            lastIndex = rs.getLong("event_global_index");
            written++;
        }
    }
}
