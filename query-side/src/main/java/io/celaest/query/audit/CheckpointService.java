package io.celaest.query.audit;

import io.celaest.api.platform.RuleViolation;
import io.celaest.projections.platform.Cursor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Writes and lists signed checkpoints of the event chain. A checkpoint is written every
 * {@code celaest.audit.checkpoint-every-events} linked events (exactly at that many links after the previous
 * checkpoint), and when the chain has moved but the last checkpoint is older than
 * {@code celaest.audit.checkpoint-every}; the chain is polled for that every few seconds. One node at a
 * time writes (a transaction-scoped advisory lock), so replicas do not sign the same position twice.
 */
@Component
@ConditionalOnProperty(name = "axon.axonserver.enabled", havingValue = "false", matchIfMissing = true)
public class CheckpointService {

    private static final Logger log = LoggerFactory.getLogger(CheckpointService.class);
    /** pg advisory lock key of the checkpoint writer ("celaest checkpoint" as a number). */
    private static final long WRITER_LOCK = 0x63656c6165737401L;
    private static final int MAX_PER_POLL = 100;

    private static final RowMapper<Checkpoint> ROW = (rs, n) -> new Checkpoint(rs.getLong("id"),
            rs.getLong("position"), rs.getBytes("chain_head"), rs.getTimestamp("created_at").toInstant(),
            rs.getString("algorithm"), rs.getString("key_id"), rs.getString("signed_payload"),
            rs.getBytes("signature"));

    private final JdbcTemplate jdbc;
    private final AuditSigningKey key;
    private final TransactionTemplate writing;
    private final TransactionTemplate reading;
    private final int everyEvents;
    private final Duration every;

    public CheckpointService(JdbcTemplate jdbc, AuditSigningKey key, PlatformTransactionManager transactions,
                             @Value("${celaest.audit.checkpoint-every-events:1000}") int everyEvents,
                             @Value("${celaest.audit.checkpoint-every:5m}") Duration every) {
        if (everyEvents < 1) {
            throw new IllegalArgumentException("celaest.audit.checkpoint-every-events must be at least 1");
        }
        this.jdbc = jdbc;
        this.key = key;
        this.everyEvents = everyEvents;
        this.every = every;
        this.writing = new TransactionTemplate(transactions);
        this.writing.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.reading = new TransactionTemplate(transactions);
        this.reading.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.reading.setReadOnly(true);
    }

    private record Link(long position, byte[] link) {
    }

    /** Signs the chain's current head now. */
    public Checkpoint checkpointNow() {
        return writing.execute(status -> {
            jdbc.queryForList("SELECT 1 FROM pg_advisory_xact_lock(?)", WRITER_LOCK);
            Link head = head().orElseThrow(() -> RuleViolation.conflict("EVENT_CHAIN_EMPTY",
                    "The event chain has no events yet: there is nothing to sign"));
            return write(head, Instant.now());
        });
    }

    /** Every node must sign with the same key (or trust the old ones), else verification rejects checkpoints. */
    @EventListener(ApplicationReadyEvent.class)
    public void warnAboutUntrustedCheckpoints() {
        try {
            latest().filter(last -> !key.trusts(last.keyId())).ifPresent(last -> log.warn(
                    "The latest audit checkpoint was signed with key {}, which this node does not trust (it signs with "
                            + "{}). Give every node the same CELAEST_AUDIT_SIGNING_KEY, and list retired public keys in "
                            + "celaest.audit.trusted-public-keys, or verification will report those checkpoints",
                    last.keyId(), key.keyId()));
        } catch (RuntimeException e) {
            log.debug("Could not read the latest audit checkpoint: {}", e.toString());
        }
    }

    /** The periodic writer: checkpoints due by event count, then one by age. */
    @Scheduled(initialDelayString = "${celaest.audit.checkpoint-poll-ms:5000}",
            fixedDelayString = "${celaest.audit.checkpoint-poll-ms:5000}")
    public void writeDueCheckpoints() {
        try {
            Integer written = writing.execute(status -> {
                Boolean locked = jdbc.queryForObject("SELECT pg_try_advisory_xact_lock(?)", Boolean.class, WRITER_LOCK);
                return Boolean.TRUE.equals(locked) ? writeDue(Instant.now()) : 0;
            });
            if (written != null && written > 0) {
                log.debug("Wrote {} audit checkpoint(s)", written);
            }
        } catch (RuntimeException e) {
            log.warn("Could not write audit checkpoints: {}", e.toString());
        }
    }

    private int writeDue(Instant now) {
        Optional<Checkpoint> last = latest();
        long after = last.map(Checkpoint::position).orElse(0L);
        int written = 0;
        while (written < MAX_PER_POLL) {
            List<Link> nth = jdbc.query("SELECT global_index, link FROM event_chain WHERE global_index > ? "
                            + "ORDER BY global_index OFFSET ? LIMIT 1",
                    (rs, n) -> new Link(rs.getLong(1), rs.getBytes(2)), after, everyEvents - 1);
            if (nth.isEmpty()) {
                break;
            }
            Checkpoint checkpoint = write(nth.get(0), now);
            after = checkpoint.position();
            last = Optional.of(checkpoint);
            written++;
        }
        Optional<Link> head = head();
        if (head.isPresent() && head.get().position() > after
                && (last.isEmpty() || !last.get().createdAt().plus(every).isAfter(now))) {
            write(head.get(), now);
            written++;
        }
        return written;
    }

    private Checkpoint write(Link head, Instant at) {
        Instant createdAt = at.truncatedTo(ChronoUnit.MILLIS);
        String payload = Checkpoint.payload(AuditSigningKey.ALGORITHM, key.keyId(), head.position(), head.link(),
                createdAt);
        byte[] signature = key.sign(payload.getBytes(StandardCharsets.UTF_8));
        Long id = jdbc.queryForObject("""
                        INSERT INTO audit_checkpoints (position, chain_head, created_at, algorithm, key_id,
                                                       signed_payload, signature)
                        VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id""", Long.class,
                head.position(), head.link(), Timestamp.from(createdAt), AuditSigningKey.ALGORITHM, key.keyId(),
                payload, signature);
        return new Checkpoint(id, head.position(), head.link(), createdAt, AuditSigningKey.ALGORITHM, key.keyId(),
                payload, signature);
    }

    private Optional<Link> head() {
        return jdbc.query("SELECT global_index, link FROM event_chain ORDER BY global_index DESC LIMIT 1",
                (rs, n) -> new Link(rs.getLong(1), rs.getBytes(2))).stream().findFirst();
    }

    public Optional<Checkpoint> latest() {
        return jdbc.query("SELECT * FROM audit_checkpoints ORDER BY id DESC LIMIT 1", ROW).stream().findFirst();
    }

    /** Oldest first; the cursor is the last id seen. */
    public CheckpointPage list(String cursor, int limit) {
        long after = cursor == null || cursor.isEmpty() ? 0 : decodeCursor(cursor);
        List<Checkpoint> rows = reading.execute(status -> jdbc.query(
                "SELECT * FROM audit_checkpoints WHERE id > ? ORDER BY id LIMIT ?", ROW, after, limit + 1));
        List<CheckpointView> items = new ArrayList<>();
        for (int i = 0; i < Math.min(limit, rows.size()); i++) {
            items.add(CheckpointView.of(rows.get(i)));
        }
        String next = rows.size() > limit ? encodeCursor(rows.get(limit - 1).id()) : null;
        return new CheckpointPage(List.copyOf(items), next, AuditSigningKey.ALGORITHM, key.publicKeyBase64(),
                key.keyId(), key.retiredPublicKeys());
    }

    static String encodeCursor(long id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("checkpoint:" + id).getBytes(StandardCharsets.UTF_8));
    }

    static long decodeCursor(String cursor) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!text.startsWith("checkpoint:")) {
                throw new Cursor.InvalidCursor();
            }
            long id = Long.parseLong(text.substring("checkpoint:".length()));
            if (id < 0) {
                throw new Cursor.InvalidCursor();
            }
            return id;
        } catch (IllegalArgumentException e) {
            throw new Cursor.InvalidCursor();
        }
    }
}
