package io.celaest.query.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.celaest.api.audit.AuditLogFilter;
import io.celaest.api.platform.Caller;
import io.celaest.projections.platform.TenantReads;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Streams the audit log in constant memory: one read-only transaction under row-level security (the caller's
 * tenant, see {@link TenantReads}), a server-side cursor (PostgreSQL sends {@value #FETCH_SIZE} rows at a time
 * inside a transaction), each row written to the output as it arrives and the output flushed every
 * {@value #FETCH_SIZE} rows. Nothing accumulates: a million rows need the heap of a thousand.
 */
@Component
public class AuditLogExport {

    static final int FETCH_SIZE = 1000;

    /** CSV columns, in this order; the JSON Lines objects use the same names in camelCase. */
    static final List<String> COLUMNS = List.of("id", "event_global_index", "event_identifier", "occurred_at",
            "organization_id", "actor_id", "actor_kind", "action", "resource_type", "resource_id", "outcome",
            "failure_reason", "client_ip", "user_agent", "correlation_id", "event_type", "changes");

    public enum Format {
        CSV("text/csv; charset=utf-8", "csv"), JSONL("application/x-ndjson", "jsonl");

        public final String contentType;
        public final String extension;

        Format(String contentType, String extension) {
            this.contentType = contentType;
            this.extension = extension;
        }
    }

    private final TenantReads reads;
    private final JdbcTemplate cursorJdbc;
    private final ObjectMapper json;

    public AuditLogExport(TenantReads reads, DataSource dataSource, ObjectMapper json) {
        this.reads = reads;
        this.cursorJdbc = new JdbcTemplate(dataSource);
        this.cursorJdbc.setFetchSize(FETCH_SIZE);
        this.json = json;
    }

    /** Writes every entry the caller may see that matches the filter; returns how many. */
    public long write(Caller caller, AuditLogFilter filter, Format format, OutputStream out) {
        return reads.readSnapshot(caller, jdbc -> {
            try {
                RowWriter writer = format == Format.CSV ? new CsvWriter(out) : new JsonLinesWriter(out, json);
                long[] count = {0};
                // the ranges are disjoint and ascending: streaming them in turn keeps the log's order
                for (AuditLogSql.Range range : AuditLogSql.ranges(jdbc, caller, filter)) {
                    AuditLogSql select = AuditLogSql.select(caller, filter, null, null, range);
                    cursorJdbc.query(connection -> {
                        PreparedStatement statement = connection.prepareStatement(select.sql(),
                                ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
                        statement.setFetchSize(FETCH_SIZE);
                        List<Object> params = select.params();
                        for (int i = 0; i < params.size(); i++) {
                            statement.setObject(i + 1, params.get(i));
                        }
                        return statement;
                    }, (ResultSet rs) -> {
                        try {
                            writer.row(rs);
                            if (++count[0] % FETCH_SIZE == 0) {
                                writer.flush();
                            }
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                }
                writer.finish();
                return count[0];
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private interface RowWriter {
        void row(ResultSet rs) throws SQLException, IOException;

        void flush() throws IOException;

        void finish() throws IOException;
    }

    /**
     * RFC 4180: comma-separated, CRLF line ends, a field quoted when it holds a comma, quote, CR or LF, quotes
     * doubled. Text fields starting with {@code = + - @}, tab or CR get a leading apostrophe so a spreadsheet
     * does not run them as formulas (CSV injection); numbers, ids and times are never altered.
     */
    static final class CsvWriter implements RowWriter {
        private final Writer out;

        CsvWriter(OutputStream stream) throws IOException {
            this.out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16);
            out.write(String.join(",", COLUMNS));
            out.write("\r\n");
        }

        @Override
        public void row(ResultSet rs) throws SQLException, IOException {
            for (int i = 0; i < COLUMNS.size(); i++) {
                if (i > 0) {
                    out.write(',');
                }
                String column = COLUMNS.get(i);
                String value = switch (column) {
                    case "event_global_index" -> Long.toString(rs.getLong(column));
                    case "occurred_at" -> AuditLogSql.instant(rs, column).toString();
                    case "id", "organization_id" -> rs.getString(column);
                    default -> neutralized(rs.getString(column));
                };
                out.write(escape(value));
            }
            out.write("\r\n");
        }

        static String neutralized(String text) {
            if (text != null && !text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
                return "'" + text;
            }
            return text;
        }

        static String escape(String value) {
            if (value == null) {
                return "";
            }
            boolean quote = false;
            for (int i = 0; i < value.length() && !quote; i++) {
                char c = value.charAt(i);
                quote = c == ',' || c == '"' || c == '\r' || c == '\n';
            }
            return quote ? '"' + value.replace("\"", "\"\"") + '"' : value;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void finish() throws IOException {
            out.flush();
        }
    }

    /** One JSON object per line, the fields of {@code AuditLogEntry}; {@code changes} as the stored JSON. */
    static final class JsonLinesWriter implements RowWriter {
        private final JsonGenerator out;

        JsonLinesWriter(OutputStream stream, ObjectMapper json) throws IOException {
            this.out = json.getFactory().createGenerator(stream);
            this.out.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            this.out.setRootValueSeparator(null);
        }

        @Override
        public void row(ResultSet rs) throws SQLException, IOException {
            AuditLogSql.writeJson(out, rs);
            out.writeRaw('\n');
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void finish() throws IOException {
            out.flush();
        }
    }
}
