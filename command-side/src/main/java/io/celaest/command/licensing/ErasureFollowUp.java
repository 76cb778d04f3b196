package io.celaest.command.licensing;

import io.celaest.api.platform.PersonalData;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.UUID;

/**
 * Scrubs a license's {@code license_validations} after its erasure: once right after the erasure commits (the
 * erasing request), and again a while later, because a validation decided just before (on this node, or on another
 * that has not yet seen the cancellation: nodes poll for changes every second) may be committed after it, with its
 * IP and fingerprint in clear. {@link License} schedules this pass as a persistent deadline, so it happens even
 * if the node that erased stops.
 */
@Component
public class ErasureFollowUp {

    /** Well past the change poll (1 s) and a group commit of validations (milliseconds). */
    static final Duration DELAY = Duration.ofMinutes(1);

    /** The deadline's payload. */
    public record Due(UUID licenseId) {
    }

    private final JdbcClient jdbc;

    public ErasureFollowUp(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The license's validations still holding an IP in clear now read erased, like the others (returns how many). */
    public int scrubValidations(UUID licenseId) {
        // by license_id: each day's partition answers from its (license_id, …) index
        return jdbc.sql("""
                        UPDATE license_validations
                           SET ip = ?, fingerprint = CASE WHEN fingerprint IS NULL THEN NULL ELSE ? END
                         WHERE license_id = ? AND ip <> ?""")
                .params(PersonalData.ERASED, PersonalData.ERASED, licenseId, PersonalData.ERASED)
                .update();
    }
}
