package io.celaest.projections.platform;

import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
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
    private final String resourceKey;

    public BatchedInserts(JdbcTemplate jdbc, String insert) {
        this.jdbc = jdbc;
        this.insert = insert;
        this.resourceKey = BatchedInserts.class.getName() + "." + System.identityHashCode(this);
    }

    public void add(Object[] row) {
        if (!CurrentUnitOfWork.isStarted()) {
            jdbc.update(insert, row);
            return;
        }
        UnitOfWork<?> batch = CurrentUnitOfWork.get().root();
        batch.getOrComputeResource(resourceKey, key -> {
            List<Object[]> rows = new ArrayList<>();
            batch.onPrepareCommit(u -> write(rows));
            return rows;
        }).add(row);
    }

    /** Writes the rows collected so far in the current batch, so that the statements after this one see them. */
    public void flush() {
        if (CurrentUnitOfWork.isStarted()) {
            List<Object[]> rows = CurrentUnitOfWork.get().root().getResource(resourceKey);
            if (rows != null) {
                write(rows);
            }
        }
    }

    private void write(List<Object[]> rows) {
        if (!rows.isEmpty()) {
            jdbc.batchUpdate(insert, rows);
            rows.clear();
        }
    }
}
