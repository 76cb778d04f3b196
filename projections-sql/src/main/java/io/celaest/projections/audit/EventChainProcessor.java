package io.celaest.projections.audit;

import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Appends every stored event to the hash chain ({@code event_chain}), in global order. The processing group
 * has one segment, so events arrive in token order; each batch of the processor links, in its own
 * transaction, the stored rows of {@code domain_event_entry} after the chain's last link up to the highest
 * global index of the batch (read back from the table, so the chain covers exactly what is stored).
 * <p>
 * Gaps: the global index may have holes, either for good (a rolled-back insert) or for a moment (a
 * transaction that took a lower index commits after a higher one). A hole is only linked over once it is
 * settled: when the rows to link are not consecutive, the batch takes a SHARE lock on
 * {@code domain_event_entry}, which waits for every transaction still inserting into it (an insert holds
 * ROW EXCLUSIVE from before it draws its index until it ends), then reads the rows again. Consecutive rows
 * need no lock.
 * <p>
 * Idempotent ({@code ON CONFLICT DO NOTHING}, and nothing at or before the chain's head is linked again), so a
 * replay of this group changes nothing. A reset does not wipe the chain: a chain is permanent.
 */
@Component
@ProcessingGroup(EventChainProcessor.PROCESSING_GROUP)
@ConditionalOnProperty(name = "axon.axonserver.enabled", havingValue = "false", matchIfMissing = true)
public class EventChainProcessor {

    public static final String PROCESSING_GROUP = "event_chain";

    private static final Logger log = LoggerFactory.getLogger(EventChainProcessor.class);
    private static final String TARGET = EventChainProcessor.class.getName() + ".target";
    private static final int READ_BATCH = 500;

    private final JdbcTemplate jdbc;
    private final EventChainHash.Hasher hasher = new EventChainHash.Hasher();
    /** Highest global index linked by this node (for monitoring; the table is the truth). */
    private final AtomicLong linkedUpTo = new AtomicLong();

    public EventChainProcessor(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The chain's last link, or the genesis link at position 0 when the chain is empty. */
    public record Head(long position, byte[] link) {
    }

    @EventHandler
    void on(EventMessage<?> event, TrackingToken token) {
        OptionalLong position = token == null ? OptionalLong.empty() : token.position();
        if (position.isEmpty()) {
            return;
        }
        long index = position.getAsLong();
        if (!CurrentUnitOfWork.isStarted()) {
            linkUpTo(index);
            return;
        }
        UnitOfWork<?> batch = CurrentUnitOfWork.get().root();
        AtomicLong target = batch.getOrComputeResource(TARGET, key -> {
            AtomicLong highest = new AtomicLong();
            batch.onPrepareCommit(u -> linkUpTo(highest.get()));
            return highest;
        });
        target.accumulateAndGet(index, Math::max);
    }

    /** A chain is permanent: a reset (replay) of this group leaves it as it is, and the replay links nothing. */
    @ResetHandler
    void reset() {
        log.info("Replay of {}: the event chain is permanent and is kept; already linked events are skipped",
                PROCESSING_GROUP);
    }

    public long linkedUpTo() {
        return linkedUpTo.get();
    }

    public Head head() {
        List<Head> last = jdbc.query("SELECT global_index, link FROM event_chain ORDER BY global_index DESC LIMIT 1",
                (rs, n) -> new Head(rs.getLong(1), rs.getBytes(2)));
        return last.isEmpty() ? new Head(0, EventChainHash.genesis()) : last.get(0);
    }

    /** Links every stored event after the chain's head up to {@code target}, in the caller's transaction. */
    synchronized void linkUpTo(long target) {
        // Read from the table each batch (one index probe): the segment may have moved to another node and back.
        Head head = head();
        boolean settled = false;
        while (head.position() < target) {
            List<EventChainHash.StoredEvent> rows = jdbc.query(
                    "SELECT " + EventChainHash.COLUMNS + " FROM domain_event_entry "
                            + "WHERE global_index > ? AND global_index <= ? ORDER BY global_index LIMIT " + READ_BATCH,
                    (rs, n) -> EventChainHash.StoredEvent.read(rs), head.position(), target);
            if (rows.isEmpty() && settled) {
                return;
            }
            if (!settled && !consecutive(head.position(), rows, target)) {
                settle();
                settled = true;
                continue;
            }
            head = append(head, rows);
        }
    }

    /**
     * True when the rows leave no hole between the head and the end of what they cover (the last row, or the
     * target when fewer rows than a full read came back).
     */
    private static boolean consecutive(long after, List<EventChainHash.StoredEvent> rows, long target) {
        long expected = after + 1;
        for (EventChainHash.StoredEvent row : rows) {
            if (row.globalIndex() != expected) {
                return false;
            }
            expected++;
        }
        return rows.size() == READ_BATCH || expected > target;
    }

    /** Waits until no transaction still inserts into the event table: from then on a hole is a hole for good. */
    private void settle() {
        jdbc.execute("SET LOCAL lock_timeout = '10s'");
        jdbc.execute("LOCK TABLE domain_event_entry IN SHARE MODE");
    }

    private Head append(Head head, List<EventChainHash.StoredEvent> rows) {
        byte[] previous = head.link();
        List<Object[]> links = new ArrayList<>(rows.size());
        for (EventChainHash.StoredEvent row : rows) {
            previous = hasher.link(previous, row);
            links.add(new Object[]{row.globalIndex(), row.eventIdentifier(), previous});
        }
        jdbc.batchUpdate("INSERT INTO event_chain (global_index, event_identifier, link) VALUES (?, ?, ?) "
                + "ON CONFLICT (global_index) DO NOTHING", links);
        long last = rows.get(rows.size() - 1).globalIndex();
        linkedUpTo.accumulateAndGet(last, Math::max);
        return new Head(last, previous);
    }
}
