package io.celaest.projections.licensing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.celaest.api.licensing.*;
import io.celaest.projections.platform.PersonalDataVault;
import io.celaest.projections.platform.SequencedRows;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.eventhandling.Timestamp;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.List;

import static io.celaest.projections.platform.SequencedRows.eventTime;
import static io.celaest.projections.platform.SequencedRows.utc;

/**
 * Read models of licensing: {@code subscription_plans}, {@code licenses}, {@code license_ip_bindings},
 * {@code license_collisions} and {@code license_usage_log}. This processing group is subscribing: its handlers run
 * in the transaction that stores the events, so the validation hot path, the plan catalogue and the
 * organization's admin see a change on every node as soon as it is committed. Every write is idempotent.
 * <p>
 * Rebuilt from the event log on the operator's request ({@link LicensingRebuild}): table names stay unqualified
 * (the rebuild points them at its copies), and event times are written to the millisecond the event store keeps,
 * so a row written live and the same row rebuilt are equal.
 */
@Component
@ProcessingGroup(LicensingProjection.PROCESSING_GROUP)
public class LicensingProjection {

    public static final String PROCESSING_GROUP = "licensing";

    /** Every table this projection writes (a rebuild replaces them all: {@link LicensingRebuild}). */
    public static final List<String> TABLES = List.of("subscription_plans", "licenses", "license_ip_bindings",
            "license_collisions", "license_usage_log");

    private final JdbcClient jdbc;
    private final SequencedRows rows;
    private final ObjectMapper json;

    public LicensingProjection(JdbcClient jdbc, SequencedRows rows, ObjectMapper json) {
        this.jdbc = jdbc;
        this.rows = rows;
        this.json = json;
    }

    // --- plans ---

    @EventHandler
    void on(PlanCreated event, @SequenceNumber long sequence, @Timestamp Instant at) {
        jdbc.sql("""
                        INSERT INTO subscription_plans (code, name, billing_cycle, price, currency, limits, created_at,
                                                        updated_at, last_event_sequence)
                        VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?)
                        ON CONFLICT (code) DO NOTHING""")
                .params(event.code(), event.name(), event.billingCycle().code(), event.price(), event.currency(),
                        write(event.limits()), eventTime(at), eventTime(at), sequence)
                .update();
    }

    @EventHandler
    void on(PlanUpdated event, @SequenceNumber long sequence, @Timestamp Instant at) {
        jdbc.sql("""
                        UPDATE subscription_plans
                           SET name = ?, billing_cycle = ?, price = ?, currency = ?, limits = ?::jsonb, updated_at = ?,
                               last_event_sequence = ?
                         WHERE code = ? AND last_event_sequence < ?""")
                .params(event.name(), event.billingCycle().code(), event.price(), event.currency(),
                        write(event.limits()), eventTime(at), sequence, event.code(), sequence)
                .update();
    }

    // --- licenses ---

    @EventHandler
    void on(LicenseIssued event, @SequenceNumber long sequence, @Timestamp Instant at) {
        jdbc.sql("""
                        INSERT INTO licenses (id, organization_id, key_hint, plan_code, product_id, type, status,
                                              expires_at, custom_limits, created_at, updated_at, last_event_sequence)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?)
                        ON CONFLICT (id) DO NOTHING""")
                .params(event.licenseId(), event.organizationId(), event.keyHint(), event.planCode(),
                        event.productId(), event.type().code(), event.status().code(), utc(event.expiresAt()),
                        write(event.customLimits() == null ? LimitOverrides.NONE : event.customLimits()),
                        eventTime(at), eventTime(at), sequence)
                .update();
    }

    @EventHandler
    void on(TrialConverted event, @SequenceNumber long sequence, @Timestamp Instant at) {
        rows.update("licenses", event.licenseId(), sequence, at, "type = 'subscription', status = 'active', expires_at = ?",
                utc(event.expiresAt()));
    }

    @EventHandler
    void on(LicenseSuspended event, @SequenceNumber long sequence, @Timestamp Instant at) {
        rows.update("licenses", event.licenseId(), sequence, at, "status = 'suspended', suspension_reason = ?",
                event.reason());
    }

    @EventHandler
    void on(LicenseReinstated event, @SequenceNumber long sequence, @Timestamp Instant at) {
        rows.update("licenses", event.licenseId(), sequence, at, "status = ?, suspension_reason = NULL",
                event.status().code());
    }

    @EventHandler
    void on(LicenseRenewed event, @SequenceNumber long sequence, @Timestamp Instant at) {
        rows.update("licenses", event.licenseId(), sequence, at, "status = ?, expires_at = ?", event.status().code(),
                utc(event.expiresAt()));
    }

    @EventHandler
    void on(LicenseCancelled event, @SequenceNumber long sequence, @Timestamp Instant at) {
        rows.update("licenses", event.licenseId(), sequence, at, "status = 'cancelled'");
    }

    @EventHandler
    void on(LicensePlanChanged event, @SequenceNumber long sequence, @Timestamp Instant at) {
        rows.update("licenses", event.licenseId(), sequence, at, "plan_code = ?", event.planCode());
    }

    @EventHandler
    void on(LicenseExpired event, @SequenceNumber long sequence, @Timestamp Instant at) {
        rows.update("licenses", event.licenseId(), sequence, at, "status = 'expired'");
    }

    // --- bindings, collisions, usage (rows keyed by their own ids: inserts and deletes are idempotent) ---

    @EventHandler
    void on(LicenseBound event, @Timestamp Instant at) {
        jdbc.sql("""
                        INSERT INTO license_ip_bindings (id, license_id, organization_id, kind, value, manual, created_at,
                                                         last_used_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (id) DO NOTHING""")
                .params(event.bindingId(), event.licenseId(), event.organizationId(), event.kind().code(),
                        event.value(), event.manual(), eventTime(at), eventTime(at))
                .update();
        touch(event.licenseId(), at);
    }

    @EventHandler
    void on(BindingRemoved event, @Timestamp Instant at) {
        jdbc.sql("DELETE FROM license_ip_bindings WHERE id = ?").param(event.bindingId()).update();
        touch(event.licenseId(), at);
    }

    /** A binding changes what validations decide: the license counts as changed (nodes poll updated_at). */
    private void touch(java.util.UUID licenseId, Instant at) {
        jdbc.sql("UPDATE licenses SET updated_at = greatest(updated_at, ?) WHERE id = ?")
                .params(eventTime(at), licenseId)
                .update();
    }

    @EventHandler
    void on(CollisionDetected event, @Timestamp Instant at) {
        jdbc.sql("""
                        INSERT INTO license_collisions (id, license_id, organization_id, ips, window_start, window_end,
                                                        max_concurrent_ips, policy, detected_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (id) DO NOTHING""")
                .params(event.collisionId(), event.licenseId(), event.organizationId(),
                        event.ips().toArray(String[]::new), utc(event.windowStart()), utc(event.windowEnd()),
                        event.maxConcurrentIps(), event.policy().code(), eventTime(at))
                .update();
    }

    @EventHandler
    void on(CollisionResolved event, @Timestamp Instant at) {
        jdbc.sql("UPDATE license_collisions SET resolved_at = ?, resolution_note = ? WHERE id = ? AND resolved_at IS NULL")
                .params(eventTime(at), event.note(), event.collisionId())
                .update();
    }

    @EventHandler
    void on(UsageRecorded event, EventMessage<?> message, @Timestamp Instant at) {
        jdbc.sql("""
                        INSERT INTO license_usage_log (id, license_id, organization_id, metric, quantity, period,
                                                       used_after, usage_limit, recorded_at)
                        VALUES (?::uuid, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (id) DO NOTHING""")
                .params(message.getIdentifier(), event.licenseId(), event.organizationId(), event.metric().code(),
                        event.quantity(), event.period(), event.used(), event.limit(), eventTime(at))
                .update();
    }

    // --- GDPR erasure ---

    /**
     * The holder's device identifiers leave the read models with the key that encrypted them in the events: binding
     * values and collision IPs (their number is kept) read {@link PersonalDataVault#ERASED}. The license's
     * validations are not this group's table (a rebuild must not write them): {@code ErasureFollowUp} scrubs them
     * right after the erasure and again a minute later. The license counts as changed, so every node drops its
     * cached copies (nodes poll updated_at). Idempotent, as a replay needs.
     */
    @EventHandler
    void on(LicenseErased event, @Timestamp Instant at) {
        jdbc.sql("UPDATE license_ip_bindings SET value = ? WHERE license_id = ? AND value <> ?")
                .params(PersonalDataVault.ERASED, event.licenseId(), PersonalDataVault.ERASED)
                .update();
        jdbc.sql("""
                        UPDATE license_collisions SET ips = array_fill(?::text, ARRAY[cardinality(ips)])
                         WHERE license_id = ? AND ips <> array_fill(?::text, ARRAY[cardinality(ips)])""")
                .params(PersonalDataVault.ERASED, event.licenseId(), PersonalDataVault.ERASED)
                .update();
        jdbc.sql("UPDATE licenses SET personal_data_erased = true WHERE id = ?").param(event.licenseId()).update();
        touch(event.licenseId(), at);
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
