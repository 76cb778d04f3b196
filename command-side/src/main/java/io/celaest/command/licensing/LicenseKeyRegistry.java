package io.celaest.command.licensing;

import io.celaest.api.platform.RuleViolation;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.util.UUID;

/** License key uniqueness: the key's hash is written in the same transaction as the LicenseIssued event. */
@Component
public class LicenseKeyRegistry {

    private final JdbcClient jdbc;

    public LicenseKeyRegistry(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void reserve(byte[] keyHash, UUID licenseId, UUID organizationId) {
        try {
            jdbc.sql("INSERT INTO license_keys (key_hash, license_id, organization_id) VALUES (?, ?, ?)")
                    .params(keyHash, licenseId, organizationId)
                    .update();
        } catch (DuplicateKeyException e) {
            throw RuleViolation.conflict("LICENSE_KEY_COLLISION", "The generated key already exists; retry");
        }
    }
}
