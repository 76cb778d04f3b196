package io.celaest.command.identity;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.util.UUID;

/**
 * Erasure, in the same transaction as the UserErased (ApiKeyErased, LicenseErased) event: destroys the subject's key,
 * so their personal data in the event log can never be read again, and for a person (a license's holder) drops the
 * snapshots of the organization (the license), which hold that data in clear (the aggregate is rebuilt from
 * events, where it now reads as erased).
 */
@Component
public class PersonalDataShredder {

    private final JdbcClient jdbc;

    public PersonalDataShredder(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The subject's key, and the snapshots of the aggregate that holds the subject's data in its state. */
    public void shred(UUID subject, UUID aggregateId) {
        destroyKey(subject);
        jdbc.sql("DELETE FROM snapshot_event_entry WHERE aggregate_identifier = ?")
                .param(aggregateId.toString())
                .update();
    }

    /**
     * Only the key: an API key's personal data is the client IPs in its requests' metadata, which no snapshot
     * holds. A subject that never had a key gets a destroyed one, so nothing can be sealed for it any more.
     */
    public void destroyKey(UUID subject) {
        jdbc.sql("""
                        INSERT INTO personal_data_keys (subject_id, wrapped_key, erased_at) VALUES (?, NULL, now())
                        ON CONFLICT (subject_id) DO UPDATE SET wrapped_key = NULL, erased_at = now()""")
                .param(subject)
                .update();
    }
}
