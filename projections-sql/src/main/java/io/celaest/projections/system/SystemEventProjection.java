package io.celaest.projections.system;

import io.celaest.projections.platform.BatchedInserts;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.celaest.api.platform.MetadataKeys;
import io.celaest.api.system.EventDeadLettered;
import io.celaest.api.system.MigrationsApplied;
import io.celaest.api.system.NodeStarted;
import io.celaest.api.system.NodeStopping;
import io.celaest.api.system.ReplayFinished;
import io.celaest.api.system.ReplayStarted;
import io.celaest.api.system.UnhandledError;
import io.celaest.projections.platform.SequencedRows;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.TrackingToken;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Read model {@code system_events}: one row per system event (node lifecycle, migrations, replays, dead letters,
 * unhandled errors), for the platform operator. Idempotent (keyed by the event's global index; a dead letter
 * reported by several nodes is kept once), replayable (reset truncates), batched like the audit log.
 */
@Component
@ProcessingGroup(SystemEventProjection.PROCESSING_GROUP)
public class SystemEventProjection {

    public static final String PROCESSING_GROUP = "system_events";

    // ON CONFLICT without a target: a redelivered event (global index) and a dead letter already reported by
    // another node (dead_letter_id) are both skipped
    private static final String INSERT = """
            INSERT INTO system_events (id, event_global_index, event_identifier, occurred_at, type, node_id, processor,
                                       dead_letter_id, correlation_id, details)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)
            ON CONFLICT DO NOTHING""";

    private final JdbcTemplate jdbc;
    private final BatchedInserts rows;
    private final ObjectMapper json;

    public SystemEventProjection(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.rows = new BatchedInserts(jdbc, INSERT);
        this.json = json;
    }

    @EventHandler
    void on(NodeStarted event, EventMessage<?> message, TrackingToken token) {
        write(message, token, event.nodeId(), null, null);
    }

    @EventHandler
    void on(NodeStopping event, EventMessage<?> message, TrackingToken token) {
        write(message, token, event.nodeId(), null, null);
    }

    @EventHandler
    void on(MigrationsApplied event, EventMessage<?> message, TrackingToken token) {
        write(message, token, event.nodeId(), null, null);
    }

    @EventHandler
    void on(ReplayStarted event, EventMessage<?> message, TrackingToken token) {
        write(message, token, event.nodeId(), event.processor(), null);
    }

    @EventHandler
    void on(ReplayFinished event, EventMessage<?> message, TrackingToken token) {
        write(message, token, event.nodeId(), event.processor(), null);
    }

    @EventHandler
    void on(EventDeadLettered event, EventMessage<?> message, TrackingToken token) {
        write(message, token, event.nodeId(), event.processor(), event.deadLetterId());
    }

    @EventHandler
    void on(UnhandledError event, EventMessage<?> message, TrackingToken token) {
        write(message, token, event.nodeId(), null, null);
    }

    @ResetHandler
    void reset() {
        jdbc.update("TRUNCATE system_events");
    }

    private void write(EventMessage<?> event, TrackingToken token, String nodeId, String processor, String deadLetterId) {
        long globalIndex = token.position().orElseThrow(
                () -> new IllegalStateException("The system events need a token with a position"));
        Object correlation = event.getMetaData().get(MetadataKeys.CORRELATION_ID);
        Object[] row = {
                UUID.nameUUIDFromBytes(("system:" + event.getIdentifier()).getBytes(StandardCharsets.UTF_8)),
                globalIndex,
                cut(event.getIdentifier(), 255),
                SequencedRows.utc(event.getTimestamp()),
                cut(event.getPayloadType().getSimpleName(), 64),
                cut(nodeId, 255),
                cut(processor, 255),
                cut(deadLetterId, 255),
                correlation == null ? null : cut(correlation.toString(), 255),
                json.valueToTree(event.getPayload()).toString()};
        rows.add(row);
    }

    private static String cut(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }
}
