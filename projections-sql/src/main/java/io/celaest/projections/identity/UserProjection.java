package io.celaest.projections.identity;

import io.celaest.api.identity.*;
import io.celaest.projections.platform.BatchedInserts;
import io.celaest.projections.platform.PersonalDataVault;
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

import static io.celaest.projections.platform.SequencedRows.sortedArray;
import static io.celaest.projections.platform.SequencedRows.utc;

/** Read model {@code users_profile}: the users of every organization, active or deactivated. */
@Component
@ProcessingGroup(UserProjection.PROCESSING_GROUP)
public class UserProjection {

    public static final String PROCESSING_GROUP = "users_profile";

    private final JdbcClient jdbc;
    private final SequencedRows rows;
    /** New users of a processor batch go in as one JDBC batch; every other handler writes them out first. */
    private final BatchedInserts added;

    public UserProjection(JdbcClient jdbc, JdbcTemplate jdbcTemplate, SequencedRows rows) {
        this.jdbc = jdbc;
        this.rows = rows;
        this.added = new BatchedInserts(jdbcTemplate, """
                INSERT INTO users_profile (id, organization_id, email, full_name, role, scopes, created_at,
                                           updated_at, last_event_sequence)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO NOTHING""");
    }

    @EventHandler
    void on(UserAdded event, @SequenceNumber long sequence, @Timestamp Instant at) {
        added.add(new Object[]{event.userId(), event.organizationId(), event.email(), event.name(),
                event.role().code(), sortedArray(event.scopes()), utc(at), utc(at), sequence});
    }

    @EventHandler
    void on(UserRenamed event, @SequenceNumber long sequence, @Timestamp Instant at) {
        added.flush();
        rows.update("users_profile", event.userId(), sequence, at, "full_name = ?", event.name());
    }

    @EventHandler
    void on(UserRoleChanged event, @SequenceNumber long sequence, @Timestamp Instant at) {
        added.flush();
        rows.update("users_profile", event.userId(), sequence, at, "role = ?", event.role().code());
    }

    @EventHandler
    void on(UserScopesChanged event, @SequenceNumber long sequence, @Timestamp Instant at) {
        added.flush();
        rows.update("users_profile", event.userId(), sequence, at, "scopes = ?", (Object) sortedArray(event.scopes()));
    }

    @EventHandler
    void on(UserDeactivated event, @SequenceNumber long sequence, @Timestamp Instant at) {
        added.flush();
        rows.update("users_profile", event.userId(), sequence, at, "is_active = false, deactivated_at = ?", utc(at));
    }

    /** Personal data gone: the row keeps the user's existence and role, not who they were. */
    @EventHandler
    void on(UserErased event, @SequenceNumber long sequence, @Timestamp Instant at) {
        added.flush();
        rows.update("users_profile", event.userId(), sequence, at,
                "email = ?, full_name = ?, is_active = false, deactivated_at = coalesce(deactivated_at, ?)",
                PersonalDataVault.ERASED, PersonalDataVault.ERASED, utc(at));
    }

    @ResetHandler
    void reset() {
        jdbc.sql("TRUNCATE users_profile").update();
    }
}
