package io.celaest.projections.identity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.celaest.api.identity.*;
import io.celaest.projections.platform.SequencedRows;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.eventhandling.Timestamp;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.UUID;

/**
 * Read model {@code organizations}. Idempotent: each row remembers the aggregate sequence of the last event
 * applied to it, and an update only applies to a row that has not seen that event yet.
 */
@Component
@ProcessingGroup(OrganizationProjection.PROCESSING_GROUP)
public class OrganizationProjection {

    public static final String PROCESSING_GROUP = "organizations";

    private final JdbcClient jdbc;
    private final SequencedRows rows;
    private final ObjectMapper json;

    public OrganizationProjection(JdbcClient jdbc, SequencedRows rows, ObjectMapper json) {
        this.jdbc = jdbc;
        this.rows = rows;
        this.json = json;
    }

    @EventHandler
    void on(OrganizationCreated event, @SequenceNumber long sequence, @Timestamp Instant at) {
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
        update(event.organizationId(), sequence, at, "active_users = active_users + 1");
    }

    @EventHandler
    void on(UserDeactivated event, @SequenceNumber long sequence, @Timestamp Instant at) {
        update(event.organizationId(), sequence, at, "active_users = active_users - 1");
    }

    @EventHandler
    void on(UserErased event, @SequenceNumber long sequence, @Timestamp Instant at) {
        update(event.organizationId(), sequence, at,
                event.wasActive() ? "active_users = active_users - 1" : "active_users = active_users");
    }

    @ResetHandler
    void reset() {
        jdbc.sql("TRUNCATE organizations").update();
    }

    private void update(UUID id, long sequence, Instant at, String assignments, Object... values) {
        rows.update("organizations", id, sequence, at, assignments, values);
    }
}
