package io.celaest.projections.identity;

import io.celaest.api.identity.ApiKeyCreated;
import io.celaest.api.identity.ApiKeyRevoked;
import io.celaest.api.identity.OrganizationDeleted;
import io.celaest.api.identity.PlatformApiKeyCreated;
import io.celaest.api.identity.PlatformApiKeyRevoked;
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

/** Read model {@code api_keys}: every key's name, prefix, scopes and state; never a secret or its hash. */
@Component
@ProcessingGroup(ApiKeyProjection.PROCESSING_GROUP)
public class ApiKeyProjection {

    public static final String PROCESSING_GROUP = "api_keys";

    /**
     * Last use is not an event: the authenticator writes it to the credentials and to this table. A key's row
     * (re)written by a replay takes it from the credentials, so a rebuild keeps it.
     */
    private static final String LAST_USED = "(SELECT c.last_used_at FROM api_key_credentials c WHERE c.key_id = ?)";

    private final JdbcClient jdbc;
    private final SequencedRows rows;

    public ApiKeyProjection(JdbcClient jdbc, SequencedRows rows) {
        this.jdbc = jdbc;
        this.rows = rows;
    }

    @EventHandler
    void on(ApiKeyCreated event, @SequenceNumber long sequence, @Timestamp Instant at) {
        jdbc.sql("""
                        INSERT INTO api_keys (id, organization_id, name, prefix, scopes, expires_at, created_at,
                                              updated_at, last_event_sequence, last_used_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, %s)
                        ON CONFLICT (id) DO NOTHING""".formatted(LAST_USED))
                .params(event.keyId(), event.organizationId(), event.name(), event.keyPrefix(),
                        sortedArray(event.scopes()), utc(event.expiresAt()), utc(at), utc(at), sequence, event.keyId())
                .update();
    }

    @EventHandler
    void on(ApiKeyRevoked event, @SequenceNumber long sequence, @Timestamp Instant at) {
        rows.update("api_keys", event.keyId(), sequence, at, "revoked_at = ?", utc(at));
    }

    @EventHandler
    void on(OrganizationDeleted event, @Timestamp Instant at) {
        jdbc.sql("UPDATE api_keys SET revoked_at = ?, updated_at = ? WHERE organization_id = ? AND revoked_at IS NULL")
                .params(utc(at), utc(at), event.organizationId())
                .update();
    }

    @EventHandler
    void on(PlatformApiKeyCreated event, @SequenceNumber long sequence, @Timestamp Instant at) {
        jdbc.sql("""
                        INSERT INTO api_keys (id, organization_id, name, prefix, scopes, expires_at, created_at,
                                              updated_at, last_event_sequence, last_used_at)
                        VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?, %s)
                        ON CONFLICT (id) DO NOTHING""".formatted(LAST_USED))
                .params(event.keyId(), event.name(), event.keyPrefix(), sortedArray(event.scopes()),
                        utc(event.expiresAt()), utc(at), utc(at), sequence, event.keyId())
                .update();
    }

    @EventHandler
    void on(PlatformApiKeyRevoked event, @SequenceNumber long sequence, @Timestamp Instant at) {
        rows.update("api_keys", event.keyId(), sequence, at, "revoked_at = ?", utc(at));
    }

    @ResetHandler
    void reset() {
        jdbc.sql("TRUNCATE api_keys").update();
    }
}
