package io.celaest.projections.identity;

import io.celaest.api.identity.*;
import io.celaest.projections.platform.PersonalDataVault;
import io.celaest.projections.platform.SequencedRows;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.eventhandling.Timestamp;
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

    public UserProjection(JdbcClient jdbc, SequencedRows rows) {
        this.jdbc = jdbc;
        this.rows = rows;
    }

    @EventHandler
    void on(UserAdded event, @SequenceNumber long sequence, @Timestamp Instant at) {
        jdbc.sql("""
                        INSERT INTO users_profile (id, organization_id, email, full_name, role, scopes, created_at,
                                                   updated_at, last_event_sequence)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (id) DO NOTHING""")
                .params(event.userId(), event.organizationId(), event.email(), event.name(), event.role().code(),
                        sortedArray(event.scopes()), utc(at), utc(at), sequence)
                .update();
    }

    @EventHandler
    void on(UserRenamed event, @SequenceNumber long sequence, @Timestamp Instant at) {
        rows.update("users_profile", event.userId(), sequence, at, "full_name = ?", event.name());
    }

    @EventHandler
    void on(UserRoleChanged event, @SequenceNumber long sequence, @Timestamp Instant at) {
        rows.update("users_profile", event.userId(), sequence, at, "role = ?", event.role().code());
    }

    @EventHandler
    void on(UserScopesChanged event, @SequenceNumber long sequence, @Timestamp Instant at) {
        rows.update("users_profile", event.userId(), sequence, at, "scopes = ?", (Object) sortedArray(event.scopes()));
    }

    @EventHandler
    void on(UserDeactivated event, @SequenceNumber long sequence, @Timestamp Instant at) {
        rows.update("users_profile", event.userId(), sequence, at, "is_active = false, deactivated_at = ?", utc(at));
    }

    /** Personal data gone: the row keeps the user's existence and role, not who they were. */
    @EventHandler
    void on(UserErased event, @SequenceNumber long sequence, @Timestamp Instant at) {
        rows.update("users_profile", event.userId(), sequence, at,
                "email = ?, full_name = ?, is_active = false, deactivated_at = coalesce(deactivated_at, ?)",
                PersonalDataVault.ERASED, PersonalDataVault.ERASED, utc(at));
    }

    @ResetHandler
    void reset() {
        jdbc.sql("TRUNCATE users_profile").update();
    }
}
