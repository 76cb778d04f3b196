package io.celaest.command.licensing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.celaest.api.licensing.*;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Licenses by key hash for the validation hot path. The tables it reads are written in the same transaction as
 * the license's events, so a miss always finds the committed state; hits are served from memory for at most
 * {@code celaest.licensing.state-ttl} (default 2 s). This node drops an entry as soon as it writes an event of that
 * license, so on one node a suspension or a new binding is seen by the very next validation; other nodes see it
 * within the TTL.
 */
@Component
@ProcessingGroup("local-caches")
public class LicenseDirectory {

    private final JdbcClient jdbc;
    private final ObjectMapper json;
    private final Cache<ByteBuffer, Optional<LicenseRuntime>> byKey;
    private final Cache<UUID, ByteBuffer> keyOf;

    public LicenseDirectory(JdbcClient jdbc, ObjectMapper json,
                            @Value("${celaest.licensing.state-ttl:2s}") Duration ttl) {
        this.jdbc = jdbc;
        this.json = json;
        this.byKey = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(200_000).build();
        this.keyOf = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(200_000).build();
    }

    Optional<LicenseRuntime> find(byte[] keyHash) {
        ByteBuffer key = ByteBuffer.wrap(keyHash);
        Optional<LicenseRuntime> found = byKey.get(key, k -> load(keyHash));
        found.ifPresent(license -> keyOf.put(license.id(), key));
        return found;
    }

    void invalidate(UUID licenseId) {
        ByteBuffer key = keyOf.getIfPresent(licenseId);
        if (key != null) {
            byKey.invalidate(key);
        }
    }

    private Optional<LicenseRuntime> load(byte[] keyHash) {
        return jdbc.sql("""
                        SELECT l.id, l.organization_id, l.status, l.expires_at, l.plan_code, l.product_id,
                               l.custom_limits, p.limits
                          FROM license_keys k
                          JOIN licenses l ON l.id = k.license_id
                          JOIN subscription_plans p ON p.code = l.plan_code
                         WHERE k.key_hash = ?""")
                .param(keyHash)
                .query((rs, n) -> {
                    UUID id = rs.getObject("id", UUID.class);
                    Timestamp expires = rs.getTimestamp("expires_at");
                    PlanLimits limits = read(rs.getString("custom_limits"), LimitOverrides.class)
                            .applyTo(read(rs.getString("limits"), PlanLimits.class));
                    return new LicenseRuntime(id, rs.getObject("organization_id", UUID.class),
                            LicenseStatus.fromCode(rs.getString("status")),
                            expires == null ? null : expires.toInstant(), rs.getString("plan_code"),
                            rs.getObject("product_id", UUID.class), limits, bindings(id));
                })
                .optional();
    }

    private Map<String, UUID> bindings(UUID licenseId) {
        Map<String, UUID> bindings = new HashMap<>();
        jdbc.sql("SELECT id, kind, value FROM license_ip_bindings WHERE license_id = ?")
                .param(licenseId)
                .query(rs -> {
                    bindings.put(LicenseRuntime.bindingKey(BindingKind.fromCode(rs.getString("kind")),
                            rs.getString("value")), rs.getObject("id", UUID.class));
                });
        return Map.copyOf(bindings);
    }

    private <T> T read(String text, Class<T> type) {
        try {
            return json.readValue(text, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // This node's writes: drop the entry at once (other nodes rely on the TTL).

    @EventHandler
    void on(LicenseSuspended event) {
        invalidate(event.licenseId());
    }

    @EventHandler
    void on(LicenseReinstated event) {
        invalidate(event.licenseId());
    }

    @EventHandler
    void on(LicenseRenewed event) {
        invalidate(event.licenseId());
    }

    @EventHandler
    void on(LicenseCancelled event) {
        invalidate(event.licenseId());
    }

    @EventHandler
    void on(LicenseExpired event) {
        invalidate(event.licenseId());
    }

    @EventHandler
    void on(LicensePlanChanged event) {
        invalidate(event.licenseId());
    }

    @EventHandler
    void on(TrialConverted event) {
        invalidate(event.licenseId());
    }

    @EventHandler
    void on(LicenseBound event) {
        invalidate(event.licenseId());
    }

    @EventHandler
    void on(BindingRemoved event) {
        invalidate(event.licenseId());
    }

    @EventHandler
    void on(PlanUpdated event) {
        byKey.invalidateAll();
    }
}
