package io.celaest.projections.identity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.celaest.api.identity.*;
import io.celaest.projections.platform.BatchScoped;
import io.celaest.projections.platform.SequencedRows;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.eventhandling.Timestamp;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Read model {@code organizations}. Idempotent: each row remembers the aggregate sequence of the last event
 * applied to it, and an update only applies to a row that has not seen that event yet. The active-user count is
 * the busy column (one change per user added): a processor batch's changes are summed per organization and
 * written when the batch commits, or before any other change to the table within the batch.
 */
@Component
@ProcessingGroup(OrganizationProjection.PROCESSING_GROUP)
public class OrganizationProjection {

    public static final String PROCESSING_GROUP = "organizations";

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;
    private final SequencedRows rows;
    private final ObjectMapper json;
    private final BatchScoped<Map<UUID, ActiveUserChange>> activeUserChanges =
            new BatchScoped<>(LinkedHashMap::new, this::write);

    public OrganizationProjection(JdbcClient jdbc, JdbcTemplate jdbcTemplate, SequencedRows rows, ObjectMapper json) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
        this.rows = rows;
        this.json = json;
    }

    /** Consecutive active-user changes of one organization: the sum, and the sequences of the first and last. */
    private record ActiveUserChange(int delta, long firstSequence, long lastSequence, Instant lastAt) {
        ActiveUserChange then(ActiveUserChange next) {
            return new ActiveUserChange(delta + next.delta, firstSequence, next.lastSequence, next.lastAt);
        }
    }

    @EventHandler
    void on(OrganizationCreated event, @SequenceNumber long sequence, @Timestamp Instant at) {
        activeUserChanges.flush();
        jdbc.sql("""
                        INSERT INTO organizations (id, name, slug, plan, status, max_users, max_api_calls_per_month,
                                                   created_at, updated_at, last_event_sequence)
                        VALUES (?, ?, ?, ?, 'active', ?, ?, ?, ?, ?)
                        ON CONFLICT (id) DO NOTHING""")
                .params(event.organizationId(), event.name(), event.slug(), event.plan().code(), event.maxUsers(),
                        event.maxApiCallsPerMonth(), SequencedRows.utc(at), SequencedRows.utc(at), sequence)
                .update();
    }

    @EventHandler
    void on(OrganizationRenamed event, @SequenceNumber long sequence, @Timestamp Instant at) {
        update(event.organizationId(), sequence, at, "name = ?", event.name());
    }

    @EventHandler
    void on(OrganizationSettingsUpdated event, @SequenceNumber long sequence, @Timestamp Instant at)
            throws JsonProcessingException {
        update(event.organizationId(), sequence, at, "settings = ?::jsonb", json.writeValueAsString(event.settings()));
    }

    @EventHandler
    void on(OrganizationPlanChanged event, @SequenceNumber long sequence, @Timestamp Instant at) {
        update(event.organizationId(), sequence, at, "plan = ?, max_users = ?, max_api_calls_per_month = ?",
                event.plan().code(), event.maxUsers(), event.maxApiCallsPerMonth());
    }

    @EventHandler
    void on(OrganizationLimitsOverridden event, @SequenceNumber long sequence, @Timestamp Instant at) {
        update(event.organizationId(), sequence, at, "max_users = ?, max_api_calls_per_month = ?",
                event.maxUsers(), event.maxApiCallsPerMonth());
    }

    @EventHandler
    void on(OrganizationOnboardingCompleted event, @SequenceNumber long sequence, @Timestamp Instant at) {
        update(event.organizationId(), sequence, at, "onboarding_completed = true");
    }

    @EventHandler
    void on(OrganizationSuspended event, @SequenceNumber long sequence, @Timestamp Instant at) {
        update(event.organizationId(), sequence, at, "status = 'suspended', suspension_reason = ?", event.reason());
    }

    @EventHandler
    void on(OrganizationReactivated event, @SequenceNumber long sequence, @Timestamp Instant at) {
        update(event.organizationId(), sequence, at, "status = 'active', suspension_reason = NULL");
    }

    @EventHandler
    void on(OrganizationDeleted event, @SequenceNumber long sequence, @Timestamp Instant at) {
        update(event.organizationId(), sequence, at, "status = 'deleted', deleted_at = ?", SequencedRows.utc(at));
    }

    @EventHandler
    void on(UserAdded event, @SequenceNumber long sequence, @Timestamp Instant at) {
        changeActiveUsers(event.organizationId(), 1, sequence, at);
    }

    @EventHandler
    void on(UserDeactivated event, @SequenceNumber long sequence, @Timestamp Instant at) {
        changeActiveUsers(event.organizationId(), -1, sequence, at);
    }

    @EventHandler
    void on(UserErased event, @SequenceNumber long sequence, @Timestamp Instant at) {
        changeActiveUsers(event.organizationId(), event.wasActive() ? -1 : 0, sequence, at);
    }

    @ResetHandler
    void reset() {
        jdbc.sql("TRUNCATE organizations").update();
    }

    private void update(UUID id, long sequence, Instant at, String assignments, Object... values) {
        activeUserChanges.flush();
        rows.update("organizations", id, sequence, at, assignments, values);
    }

    private void changeActiveUsers(UUID organization, int delta, long sequence, Instant at) {
        Map<UUID, ActiveUserChange> changes = activeUserChanges.current();
        if (changes == null) {
            rows.update("organizations", organization, sequence, at, "active_users = active_users + ?", delta);
            return;
        }
        changes.merge(organization, new ActiveUserChange(delta, sequence, sequence, at), ActiveUserChange::then);
    }

    /** One guarded update per organization: applies only if the row has seen none of the summed events. */
    private void write(Map<UUID, ActiveUserChange> pending) {
        if (pending.isEmpty()) {
            return;
        }
        List<Object[]> updates = new ArrayList<>(pending.size());
        pending.forEach((organization, change) -> updates.add(new Object[]{change.delta(), change.lastSequence(),
                SequencedRows.eventTime(change.lastAt()), organization, change.firstSequence()}));
        pending.clear();
        jdbcTemplate.batchUpdate("UPDATE organizations SET active_users = active_users + ?, last_event_sequence = ?, "
                + "updated_at = ? WHERE id = ? AND last_event_sequence < ?", updates);
    }
}
