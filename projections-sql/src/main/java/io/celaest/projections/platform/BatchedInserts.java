package io.celaest.projections.platform;

import org.springframework.jdbc.core.JdbcTemplate;

import java.util.ArrayList;
import java.util.List;

/**
 * One INSERT statement's rows collected over a processor batch and written as one JDBC batch just before the
 * batch's transaction commits; outside a unit of work a row is written at once. A handler that goes on to read or
 * change those rows within the batch calls {@link #flush} first.
 */
public class BatchedInserts {

    private final JdbcTemplate jdbc;
    private final String insert;
    private final BatchScoped<List<Object[]>> pending = new BatchScoped<>(ArrayList::new, this::write);

    public BatchedInserts(JdbcTemplate jdbc, String insert) {
        this.jdbc = jdbc;
        this.insert = insert;
    }

    public void add(Object[] row) {
        List<Object[]> rows = pending.current();
        if (rows == null) {
            jdbc.update(insert, row);
            return;
        }
        rows.add(row);
    }

    /** Writes the rows collected so far in the current batch, so that the statements after this one see them. */
    public void flush() {
        pending.flush();
    }

    private void write(List<Object[]> rows) {
        if (!rows.isEmpty()) {
            jdbc.batchUpdate(insert, rows);
            rows.clear();
        }
    }
}
