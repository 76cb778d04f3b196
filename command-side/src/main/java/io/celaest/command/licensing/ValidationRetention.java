package io.celaest.command.licensing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps {@code license_validations} (partitioned by day of {@code validated_at}, V12) bounded: attaches the
 * partitions of the days ahead before rows arrive, and detaches and drops the days older than the retention
 * period. Dropping a day is instant and leaves no dead rows, where deleting millions of rows would not. Runs as a
 * recurring db-scheduler task (one node at a time), so each step is also safe to repeat.
 *
 * <p>Locks: attaching a day takes only a SHARE UPDATE EXCLUSIVE lock on the table, which validations' inserts do
 * not wait for; detaching an expired day briefly takes an exclusive one. Both wait at most 100 ms for their lock
 * (inserts arriving meanwhile queue behind the waiting step that long at most); a busy moment leaves the step to
 * the next run. The default partition is normally empty, so attaching a day scans next to nothing.
 */
@Component
public class ValidationRetention {

    static final String TABLE = "license_validations";
    static final String DEFAULT_PARTITION = "license_validations_default";
    private static final Pattern DAY_PARTITION = Pattern.compile(TABLE + "_d(\\d{8})");
    private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;
    private static final Logger log = LoggerFactory.getLogger(ValidationRetention.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final Duration retention;
    private final int daysAhead;

    public ValidationRetention(JdbcTemplate jdbc, TransactionTemplate transaction,
                               @Value("${celaest.licensing.validation-retention:90d}") Duration retention,
                               @Value("${celaest.licensing.validation-days-ahead:14}") int daysAhead) {
        if (retention.compareTo(Duration.ofDays(1)) < 0 || daysAhead < 1) {
            throw new IllegalArgumentException("celaest.licensing.validation-retention must be at least 1d and "
                    + "validation-days-ahead at least 1");
        }
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.retention = retention;
        this.daysAhead = daysAhead;
    }

    /** What one run did. */
    public record Outcome(List<LocalDate> attached, List<LocalDate> dropped, int expiredStrayRows) {
    }

    public Outcome run(Instant now) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        TreeSet<LocalDate> existing = days();
        List<LocalDate> attached = new java.util.ArrayList<>();
        for (LocalDate day = today.minusDays(1); !day.isAfter(today.plusDays(daysAhead)); day = day.plusDays(1)) {
            if (!existing.contains(day) && step("attach " + day, attach(day))) {
                attached.add(day);
            }
        }
        Instant cutoff = now.minus(retention);
        List<LocalDate> dropped = new java.util.ArrayList<>();
        for (LocalDate day : existing) {
            if (!start(day.plusDays(1)).isAfter(cutoff) && step("drop " + day, drop(day))) {
                dropped.add(day);
            }
        }
        // stray rows in the default partition expire like the days'
        Integer stray = transaction.execute(status -> jdbc.update(
                "DELETE FROM " + DEFAULT_PARTITION + " WHERE validated_at < ?", Timestamp.from(cutoff)));
        if (!attached.isEmpty() || !dropped.isEmpty() || stray != null && stray > 0) {
            log.info("license_validations: attached {}, dropped {} (older than {}), {} expired rows of the default "
                    + "partition deleted", attached, dropped, retention, stray);
        }
        return new Outcome(attached, dropped, stray == null ? 0 : stray);
    }

    /** The days that have a partition. */
    TreeSet<LocalDate> days() {
        TreeSet<LocalDate> days = new TreeSet<>();
        jdbc.query("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                + "WHERE i.inhparent = '" + TABLE + "'::regclass", rs -> {
            Matcher day = DAY_PARTITION.matcher(rs.getString(1));
            if (day.matches()) {
                days.add(LocalDate.parse(day.group(1), DAY));
            }
        });
        return days;
    }

    /**
     * A day's partition, created standalone and then attached. Rows of that day already in the default partition
     * (written before the day was prepared) move into it first; the default partition is locked against new
     * rows meanwhile, which only rows of unprepared days would need.
     */
    private Runnable attach(LocalDate day) {
        String partition = name(day);
        return () -> {
            jdbc.execute("SET LOCAL lock_timeout = '100ms'");
            jdbc.execute("LOCK TABLE " + DEFAULT_PARTITION + " IN SHARE ROW EXCLUSIVE MODE");
            jdbc.execute("CREATE TABLE " + partition + " (LIKE " + TABLE + " INCLUDING DEFAULTS INCLUDING CONSTRAINTS)");
            jdbc.update("WITH moved AS (DELETE FROM " + DEFAULT_PARTITION + " WHERE validated_at >= ? AND validated_at < ? "
                            + "RETURNING *) INSERT INTO " + partition + " SELECT * FROM moved",
                    Timestamp.from(start(day)), Timestamp.from(start(day.plusDays(1))));
            jdbc.execute("ALTER TABLE " + TABLE + " ATTACH PARTITION " + partition + " FOR VALUES FROM ('"
                    + start(day) + "') TO ('" + start(day.plusDays(1)) + "')");
        };
    }

    private Runnable drop(LocalDate day) {
        String partition = name(day);
        return () -> {
            jdbc.execute("SET LOCAL lock_timeout = '100ms'");
            jdbc.execute("ALTER TABLE " + TABLE + " DETACH PARTITION " + partition);
            jdbc.execute("DROP TABLE " + partition);
        };
    }

    /** Runs one step in its own transaction; a failure (a lock timeout, another node first) waits for the next run. */
    private boolean step(String what, Runnable work) {
        try {
            transaction.executeWithoutResult(status -> work.run());
            return true;
        } catch (DataAccessException e) {
            log.warn("license_validations: could not {} now, next run retries: {}", what, e.getMessage());
            return false;
        }
    }

    static String name(LocalDate day) {
        return TABLE + "_d" + DAY.format(day);
    }

    private static Instant start(LocalDate day) {
        return day.atStartOfDay(ZoneOffset.UTC).toInstant();
    }
}
