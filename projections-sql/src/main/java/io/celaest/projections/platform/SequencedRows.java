package io.celaest.projections.platform;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.UUID;

/**
 * Idempotent row updates for projections: every read-model row keeps {@code last_event_sequence}, the
 * aggregate sequence number of the last event applied to it, and an update applies only to a row that
 * has not seen that event yet. Redelivery and replays therefore never apply an event twice.
 */
@Component
public class SequencedRows {

    private final JdbcClient jdbc;

    public SequencedRows(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** {@code UPDATE table SET assignments, last_event_sequence, updated_at WHERE id = ? AND unseen}. */
    public int update(String table, UUID id, long sequence, Instant at, String assignments, Object... values) {
        Object[] params = new Object[values.length + 4];
        System.arraycopy(values, 0, params, 0, values.length);
        params[values.length] = sequence;
        params[values.length + 1] = eventTime(at);
        params[values.length + 2] = id;
        params[values.length + 3] = sequence;
        return jdbc.sql("UPDATE " + table + " SET " + assignments + ", last_event_sequence = ?, updated_at = ?"
                        + " WHERE id = ? AND last_event_sequence < ?")
                .params(params)
                .update();
    }

    public static OffsetDateTime utc(Instant at) {
        return at == null ? null : at.atOffset(ZoneOffset.UTC);
    }

    /**
     * An event's timestamp as the event store keeps it, to the millisecond. A subscribing projection sees the event
     * as it is being stored, with the clock's full precision; a replay reads it back from the store. Both must write
     * the same row.
     */
    public static OffsetDateTime eventTime(Instant at) {
        return at == null ? null : utc(at.truncatedTo(ChronoUnit.MILLIS));
    }

    public static String[] sortedArray(Collection<String> values) {
        return values.stream().sorted().toArray(String[]::new);
    }
}
