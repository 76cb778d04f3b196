package io.celaest.command.identity;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Hashes of API key secrets, written in the same transaction as the key's events so a key works exactly
 * when its ApiKeyCreated event exists and stops when ApiKeyRevoked (or OrganizationDeleted) does.
 */
@Component
public class ApiKeyCredentialStore {

    private final JdbcClient jdbc;

    public ApiKeyCredentialStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void store(byte[] keyHash, UUID keyId, UUID organizationId, Set<String> scopes, Instant expiresAt) {
        jdbc.sql("""
                        INSERT INTO api_key_credentials (key_hash, key_id, organization_id, scopes, expires_at)
                        VALUES (?, ?, ?, ?, ?)""")
                .params(keyHash, keyId, organizationId, scopes.toArray(String[]::new),
                        expiresAt == null ? null : Timestamp.from(expiresAt))
                .update();
    }

    /** The scopes the key was created with (they never change); empty when its credential is missing. */
    public Optional<Set<String>> scopesOf(UUID keyId) {
        return jdbc.sql("SELECT scopes FROM api_key_credentials WHERE key_id = ?")
                .param(keyId)
                .query((rs, row) -> Set.of((String[]) rs.getArray("scopes").getArray()))
                .optional();
    }

    public void revoke(UUID keyId) {
        jdbc.sql("UPDATE api_key_credentials SET revoked_at = now() WHERE key_id = ? AND revoked_at IS NULL")
                .param(keyId)
                .update();
    }

    public void revokeAllOf(UUID organizationId) {
        jdbc.sql("UPDATE api_key_credentials SET revoked_at = now() WHERE organization_id = ? AND revoked_at IS NULL")
                .param(organizationId)
                .update();
    }
}
