package io.celaest.server.system;

import io.celaest.api.system.EventDeadLettered;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reports every new row of the dead-letter queue ({@code deadletterentry}) as an {@link EventDeadLettered} system
 * event, by scanning the table every few seconds.
 * <p>
 * New means: enqueued at or after a watermark (the latest enqueue time seen, less a margin for transactions that
 * committed late) and not reported yet by this node (the ids inside the margin are remembered, so memory stays
 * bounded). At start the watermark comes from the read model, so dead letters enqueued while this node was down
 * are reported once it is up. Every node scans: a dead letter may be reported by several nodes and is kept once
 * by the {@code system_events} projection (unique dead-letter id).
 */
@Component
public class DeadLetterReporter {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterReporter.class);
    /** Rows reported per scan at most; the rest waits for the next scan. */
    private static final int MAX_PER_SCAN = 200;

    private final JdbcClient jdbc;
    private final SystemEvents events;
    private final Duration margin;
    private final Map<String, Instant> reported = new ConcurrentHashMap<>();
    private volatile Instant watermark;

    public DeadLetterReporter(JdbcClient jdbc, SystemEvents events,
                              @Value("${celaest.system.dead-letter-margin:PT5M}") Duration margin) {
        this.jdbc = jdbc;
        this.events = events;
        this.margin = margin;
    }

    @Scheduled(initialDelayString = "${celaest.system.dead-letter-scan-delay:PT2S}",
            fixedDelayString = "${celaest.system.dead-letter-scan-interval:PT2S}")
    public synchronized void scan() {
        try {
            if (watermark == null) {
                watermark = initialWatermark();
            }
            Instant since = watermark.minus(margin);
            Instant latest = watermark;
            int count = 0;
            for (Row row : jdbc.sql("""
                            SELECT deadletteridentifier, processinggroup, eventidentifier, payloadtype, causetype,
                                   causemessage, enqueuedat::timestamptz AS enqueued
                            FROM deadletterentry WHERE enqueuedat::timestamptz >= ?
                            ORDER BY enqueuedat::timestamptz, deadletteridentifier LIMIT ?""")
                    .params(Timestamp.from(since), reported.size() + MAX_PER_SCAN)
                    .query((rs, n) -> new Row(rs.getString("deadletteridentifier"), rs.getString("processinggroup"),
                            rs.getString("eventidentifier"), rs.getString("payloadtype"), rs.getString("causetype"),
                            rs.getString("causemessage"), rs.getTimestamp("enqueued").toInstant()))
                    .list()) {
                if (reported.containsKey(row.id())) {
                    continue;
                }
                if (count++ == MAX_PER_SCAN) {
                    break; // the rest waits for the next scan
                }
                events.deadLettered(row.processor(), row.id(), row.eventIdentifier(), row.payloadType(),
                        row.causeType(), row.cause(), row.enqueuedAt());
                reported.put(row.id(), row.enqueuedAt());
                if (row.enqueuedAt().isAfter(latest)) {
                    latest = row.enqueuedAt();
                }
            }
            watermark = latest;
            Instant forget = latest.minus(margin);
            reported.values().removeIf(at -> at.isBefore(forget));
        } catch (RuntimeException e) {
            log.warn("Could not scan the dead-letter queue for new dead letters", e);
        }
    }

    /** The latest dead letter the read model already shows (nothing reported yet: everything is new). */
    private Instant initialWatermark() {
        Instant latest = jdbc.sql("""
                        SELECT max((details->>'enqueuedAt')::timestamptz) AS latest FROM system_events
                        WHERE type = 'EventDeadLettered'""")
                .query((rs, n) -> {
                    Timestamp at = rs.getTimestamp("latest");
                    return at == null ? Instant.EPOCH : at.toInstant();
                }).single();
        Instant since = latest.minus(margin);
        jdbc.sql("""
                        SELECT dead_letter_id, (details->>'enqueuedAt')::timestamptz AS enqueued FROM system_events
                        WHERE type = 'EventDeadLettered' AND (details->>'enqueuedAt')::timestamptz >= ?""")
                .param(Timestamp.from(since))
                .query((rs, n) -> Map.entry(rs.getString("dead_letter_id"), rs.getTimestamp("enqueued").toInstant()))
                .list()
                .forEach(known -> reported.put(known.getKey(), known.getValue()));
        return latest;
    }

    private record Row(String id, String processor, String eventIdentifier, String payloadType, String causeType,
                       String cause, Instant enqueuedAt) {
    }
}
