package io.celaest.query.audit;

import io.celaest.api.platform.RuleViolation;
import io.celaest.projections.audit.EventChainHash;
import io.celaest.query.audit.ChainVerificationResult.Mismatch;
import io.celaest.query.audit.ChainVerificationResult.Reason;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HexFormat;
import java.util.OptionalLong;

/**
 * Recomputes the hash chain from {@code domain_event_entry} and compares it with {@code event_chain} and the
 * signed checkpoints. Streams both tables side by side in global order (server-side cursors with a fetch
 * size, in one read-only REPEATABLE READ transaction, so memory stays constant and the two tables are read
 * at the same instant) and stops at the first mismatch.
 */
@Component
@ConditionalOnProperty(name = "axon.axonserver.enabled", havingValue = "false", matchIfMissing = true)
public class ChainVerification {

    static final int FETCH_SIZE = 2000;
    private static final int CHECKPOINT_PAGE = 500;

    private final JdbcTemplate jdbc;
    private final AuditSigningKey key;
    private final TransactionTemplate snapshot;

    public ChainVerification(JdbcTemplate jdbc, AuditSigningKey key, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.key = key;
        this.snapshot = new TransactionTemplate(transactions);
        this.snapshot.setReadOnly(true);
        this.snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        this.snapshot.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    /**
     * @param from first global index to check (default: the first event)
     * @param to   last global index to check (default: the chain head, or the last signed checkpoint if that is
     *             further: a chain cut short is then caught by the checkpoint)
     */
    public ChainVerificationResult verify(Long from, Long to) {
        if (from != null && to != null && to < from) {
            throw RuleViolation.unprocessable("INVALID_RANGE", "'to' must not be lower than 'from'");
        }
        return snapshot.execute(status -> jdbc.execute((ConnectionCallback<ChainVerificationResult>)
                connection -> new Run(connection).verify(from, to)));
    }

    /** One verification: its connection, hasher and checkpoint reader. */
    private final class Run {
        private final Connection connection;
        private final EventChainHash.Hasher hasher = new EventChainHash.Hasher();
        private Checkpoints checkpoints;
        private long checked;
        private int checkedCheckpoints;
        private long from;
        private long to;
        private long chainHead;
        /** The last recomputed link and its position. */
        private byte[] link;
        private long linkPosition;

        Run(Connection connection) {
            this.connection = connection;
        }

        ChainVerificationResult verify(Long fromParam, Long toParam) throws SQLException {
            chainHead = number("SELECT coalesce(max(global_index), 0) FROM event_chain");
            long lastSigned = number("SELECT coalesce(max(position), 0) FROM audit_checkpoints");
            from = fromParam == null ? 0 : fromParam;
            to = toParam != null ? toParam : Math.max(chainHead, lastSigned);
            linkPosition = -1;
            link = EventChainHash.genesis();
            try (PreparedStatement previous = connection.prepareStatement(
                    "SELECT global_index, link FROM event_chain WHERE global_index < ? ORDER BY global_index DESC LIMIT 1")) {
                previous.setLong(1, from);
                try (ResultSet rs = previous.executeQuery()) {
                    if (rs.next()) {
                        linkPosition = rs.getLong(1);
                        link = rs.getBytes(2);
                    }
                }
            }
            checkpoints = new Checkpoints(connection, from, to);
            Mismatch mismatch = compare();
            if (mismatch == null) {
                mismatch = checkpoints.upTo(Long.MAX_VALUE, this);
            }
            return new ChainVerificationResult(mismatch == null, checked, mismatch, from, to, chainHead,
                    checkedCheckpoints);
        }

        private Mismatch compare() throws SQLException {
            try (PreparedStatement eventQuery = cursor("SELECT " + EventChainHash.COLUMNS
                    + " FROM domain_event_entry WHERE global_index BETWEEN ? AND ? ORDER BY global_index");
                 PreparedStatement chainQuery = cursor("SELECT global_index, event_identifier, link FROM event_chain "
                         + "WHERE global_index BETWEEN ? AND ? ORDER BY global_index");
                 ResultSet events = eventQuery.executeQuery();
                 ResultSet chain = chainQuery.executeQuery()) {
                boolean hasEvent = events.next();
                boolean hasLink = chain.next();
                while (hasEvent || hasLink) {
                    long eventIndex = hasEvent ? events.getLong("global_index") : Long.MAX_VALUE;
                    long chainIndex = hasLink ? chain.getLong(1) : Long.MAX_VALUE;
                    long position = Math.min(eventIndex, chainIndex);
                    Mismatch mismatch = checkpoints.upTo(position - 1, this);
                    if (mismatch != null) {
                        return mismatch;
                    }
                    if (eventIndex == position && chainIndex == position) {
                        EventChainHash.StoredEvent event = EventChainHash.StoredEvent.read(events);
                        String chainedId = chain.getString(2);
                        if (!chainedId.equals(event.eventIdentifier())) {
                            return identityMismatch(position, chainedId, event.eventIdentifier());
                        }
                        byte[] computed = hasher.link(link, event);
                        if (!Arrays.equals(computed, chain.getBytes(3))) {
                            return new Mismatch(position, Reason.EVENT_MODIFIED, "The stored event no longer hashes "
                                    + "to its chain link: its bytes were changed (or events before it were removed "
                                    + "together with their links)", null);
                        }
                        link = computed;
                        linkPosition = position;
                        checked++;
                        hasEvent = events.next();
                        hasLink = chain.next();
                    } else if (chainIndex == position) {
                        return new Mismatch(position, Reason.EVENT_MISSING, "Event " + chain.getString(2)
                                + " was chained at this global index and is no longer in the event table", null);
                    } else if (position > chainHead) {
                        break; // not chained yet: the chain processor has not reached it
                    } else {
                        return new Mismatch(position, Reason.EVENT_NOT_CHAINED, "Event "
                                + events.getString("event_identifier") + " stands at a global index the chain "
                                + "skipped: it was inserted afterwards", null);
                    }
                    mismatch = checkpoints.upTo(position, this);
                    if (mismatch != null) {
                        return mismatch;
                    }
                }
                return null;
            }
        }

        private Mismatch identityMismatch(long position, String chainedId, String foundId) throws SQLException {
            OptionalLong movedTo = indexOf("domain_event_entry", chainedId);
            OptionalLong chainedAt = indexOf("event_chain", foundId);
            if (movedTo.isPresent() || chainedAt.isPresent()) {
                return new Mismatch(position, Reason.EVENTS_REORDERED, "Event " + chainedId + " was chained here"
                        + (movedTo.isPresent() ? " and now stands at global index " + movedTo.getAsLong() : "")
                        + "; event " + foundId + " stands here instead"
                        + (chainedAt.isPresent() ? " (chained at " + chainedAt.getAsLong() + ")" : ""), null);
            }
            return new Mismatch(position, Reason.EVENT_MODIFIED, "The event chained here as " + chainedId
                    + " now has the identifier " + foundId, null);
        }

        /** Checks one signed checkpoint against the key and the recomputed chain. */
        Mismatch check(Checkpoint checkpoint) {
            checkedCheckpoints++;
            if (!checkpoint.payloadMatchesColumns()) {
                return new Mismatch(checkpoint.position(), Reason.CHECKPOINT_SIGNATURE_INVALID, "Checkpoint "
                        + checkpoint.id() + ": its fields differ from the text that was signed", checkpoint.id());
            }
            if (!key.trusts(checkpoint.keyId())) {
                return new Mismatch(checkpoint.position(), Reason.CHECKPOINT_SIGNATURE_INVALID, "Checkpoint "
                        + checkpoint.id() + " names key " + checkpoint.keyId() + ", which is neither this platform's "
                        + "key nor a trusted retired key (celaest.audit.trusted-public-keys)", checkpoint.id());
            }
            if (!AuditSigningKey.ALGORITHM.equals(checkpoint.algorithm())
                    || !key.verify(checkpoint.keyId(), checkpoint.signedBytes(), checkpoint.signature())) {
                return new Mismatch(checkpoint.position(), Reason.CHECKPOINT_SIGNATURE_INVALID, "Checkpoint "
                        + checkpoint.id() + ": the signature does not verify with the key it names", checkpoint.id());
            }
            if (checkpoint.position() < from) {
                return null;
            }
            if (linkPosition != checkpoint.position()) {
                return new Mismatch(checkpoint.position(), Reason.CHECKPOINT_MISMATCH, "Checkpoint "
                        + checkpoint.id() + " signed a chain link at this global index, and there is none any more",
                        checkpoint.id());
            }
            if (!Arrays.equals(link, checkpoint.chainHead())) {
                return new Mismatch(checkpoint.position(), Reason.CHECKPOINT_MISMATCH, "Checkpoint "
                        + checkpoint.id() + " signed the chain head " + HexFormat.of().formatHex(checkpoint.chainHead())
                        + " but the events up to here hash to " + HexFormat.of().formatHex(link)
                        + ": events before it were changed and the chain rewritten", checkpoint.id());
            }
            return null;
        }

        private OptionalLong indexOf(String table, String eventIdentifier) throws SQLException {
            try (PreparedStatement s = connection.prepareStatement(
                    "SELECT global_index FROM " + table + " WHERE event_identifier = ?")) {
                s.setString(1, eventIdentifier);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
                }
            }
        }

        private PreparedStatement cursor(String sql) throws SQLException {
            PreparedStatement statement = connection.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY,
                    ResultSet.CONCUR_READ_ONLY);
            statement.setFetchSize(FETCH_SIZE);
            statement.setLong(1, from);
            statement.setLong(2, to);
            return statement;
        }

        private long number(String sql) throws SQLException {
            try (PreparedStatement s = connection.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The signed checkpoints of the range in position order, read a page at a time. */
    private static final class Checkpoints {
        private final Connection connection;
        private final long to;
        private final Deque<Checkpoint> page = new ArrayDeque<>();
        private long afterPosition;
        private long afterId;
        private boolean exhausted;

        Checkpoints(Connection connection, long from, long to) {
            this.connection = connection;
            this.to = to;
            this.afterPosition = from;
            this.afterId = -1;
        }

        /** Checks every checkpoint at or before {@code position}; the first failure, or null. */
        Mismatch upTo(long position, Run run) throws SQLException {
            while (true) {
                Checkpoint next = peek();
                if (next == null || next.position() > position) {
                    return null;
                }
                page.removeFirst();
                Mismatch mismatch = run.check(next);
                if (mismatch != null) {
                    return mismatch;
                }
            }
        }

        private Checkpoint peek() throws SQLException {
            if (page.isEmpty() && !exhausted) {
                load();
            }
            return page.peekFirst();
        }

        private void load() throws SQLException {
            try (PreparedStatement s = connection.prepareStatement("""
                    SELECT * FROM audit_checkpoints
                    WHERE position <= ? AND (position > ? OR (position = ? AND id > ?))
                    ORDER BY position, id LIMIT ?""")) {
                s.setLong(1, to);
                s.setLong(2, afterPosition);
                s.setLong(3, afterPosition);
                s.setLong(4, afterId);
                s.setInt(5, CHECKPOINT_PAGE);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        Checkpoint checkpoint = new Checkpoint(rs.getLong("id"), rs.getLong("position"),
                                rs.getBytes("chain_head"), rs.getTimestamp("created_at").toInstant(),
                                rs.getString("algorithm"), rs.getString("key_id"), rs.getString("signed_payload"),
                                rs.getBytes("signature"));
                        page.addLast(checkpoint);
                        afterPosition = checkpoint.position();
                        afterId = checkpoint.id();
                    }
                }
            }
            exhausted = page.size() < CHECKPOINT_PAGE;
        }
    }
}
