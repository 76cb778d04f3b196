package io.celaest.command.licensing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import io.celaest.api.licensing.*;
import io.celaest.command.platform.RequestPathCaches;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Licenses by key hash for the validation hot path. The tables it reads are written in the same transaction as
 * the license's events, so a miss always finds the committed state. Hits are served from memory: the code that
 * changes a license on this node drops its entry once the change is committed, and every {@code celaest.licensing.change-poll} (default 1 s) it
 * asks which licenses any node changed lately ({@code licenses.updated_at}, indexed) and drops those, so other
 * nodes' suspensions and bindings are seen within about a second without reloading every license every second.
 * A plan change drops every entry, at once on the node that made it, within a poll on the others.
 * {@code celaest.licensing.state-ttl} (default 10 min) bounds an entry's age whatever happens.
 */
@Component
public class LicenseDirectory {

    private final JdbcClient jdbc;
    private final ObjectMapper json;
    private final Cache<ByteBuffer, Optional<LicenseRuntime>> byKey;
    private final Cache<UUID, ByteBuffer> keyOf;

    /** Changes are looked for again this far back: a transaction may commit a little after its events' time. */
    private static final Duration COMMIT_SLACK = Duration.ofSeconds(10);

    /** Counts drops, so a load that overlapped one is not cached (it may have read the state before the change). */
    private final AtomicLong drops = new AtomicLong();

    private volatile Instant lastPoll;
    private volatile Instant plansChanged;

    private final org.axonframework.common.caching.Cache aggregates;

    public LicenseDirectory(JdbcClient jdbc, ObjectMapper json,
                            @Qualifier("licenseCache") org.axonframework.common.caching.Cache aggregates,
                            @Value("${celaest.licensing.state-ttl:10m}") Duration ttl) {
        this.jdbc = jdbc;
        this.json = json;
        this.aggregates = aggregates;
        this.byKey = RequestPathCaches.newBuilder().expireAfterWrite(ttl).maximumSize(200_000).build();
        this.keyOf = RequestPathCaches.newBuilder().expireAfterWrite(ttl).maximumSize(200_000).build();
    }

    /** Drops the entries of licenses changed (on any node) since the last poll, and all of them after a plan change. */
    @Scheduled(fixedDelayString = "${celaest.licensing.change-poll:1s}")
    void dropChanged() {
        Instant now = Instant.now();
        Instant since = (lastPoll == null ? now : lastPoll).minus(COMMIT_SLACK);
        lastPoll = now;
        Instant plans = jdbc.sql("SELECT max(updated_at) FROM subscription_plans").query(Timestamp.class)
                .optional().map(Timestamp::toInstant).orElse(Instant.EPOCH);
        if (plansChanged != null && !plans.equals(plansChanged)) {
            dropAll();
        }
        plansChanged = plans;
        // by key as well: a key looked up while its license row was missing (a read model being rebuilt) is
        // remembered as unknown, under no license id
        jdbc.sql("SELECT l.id, k.key_hash FROM licenses l LEFT JOIN license_keys k ON k.license_id = l.id "
                        + "WHERE l.updated_at > ?")
                .param(Timestamp.from(since))
                .query(rs -> {
                    UUID changed = rs.getObject(1, UUID.class);
                    invalidate(changed);
                    byte[] keyHash = rs.getBytes(2);
                    if (keyHash != null) {
                        byKey.invalidate(ByteBuffer.wrap(keyHash));
                    }
                    // the write side's cached License too: another node may have changed it
                    aggregates.remove(changed.toString());
                });
    }

    Optional<LicenseRuntime> find(byte[] keyHash) {
        ByteBuffer key = ByteBuffer.wrap(keyHash);
        Optional<LicenseRuntime> found = byKey.getIfPresent(key);
        if (found == null) {
            // loaded outside the cache's lock: a slow query must not hold up other keys
            long before = drops.get();
            found = load(keyHash);
            if (drops.get() == before) {
                byKey.put(key, found);
                found.ifPresent(license -> keyOf.put(license.id(), key));
            }
            // else something was dropped while this loaded: what it read may predate that change, so it answers
            // this validation (as a read just before the change would have) but is not kept
        }
        return found;
    }

    /** After a plan change committed on this node: every license may carry that plan's limits. */
    void dropAll() {
        drops.incrementAndGet();
        byKey.invalidateAll();
    }

    void invalidate(UUID licenseId) {
        drops.incrementAndGet();
        ByteBuffer key = keyOf.getIfPresent(licenseId);
        if (key != null) {
            byKey.invalidate(key);
        }
    }

    /** The license row, then its bindings: one query at a time, so a load never holds two pooled connections. */
    private Optional<LicenseRuntime> load(byte[] keyHash) {
        Optional<LicenseRuntime> license = jdbc.sql("""
                        SELECT l.id, l.organization_id, l.status, l.expires_at, l.plan_code, l.product_id,
                               l.custom_limits, l.personal_data_erased, p.limits
                          FROM license_keys k
                          JOIN licenses l ON l.id = k.license_id
                          JOIN subscription_plans p ON p.code = l.plan_code
                         WHERE k.key_hash = ?""")
                .param(keyHash)
                .query((rs, n) -> {
                    Timestamp expires = rs.getTimestamp("expires_at");
                    PlanLimits limits = read(rs.getString("custom_limits"), LimitOverrides.class)
                            .applyTo(read(rs.getString("limits"), PlanLimits.class));
                    return new LicenseRuntime(rs.getObject("id", UUID.class), rs.getObject("organization_id", UUID.class),
                            LicenseStatus.fromCode(rs.getString("status")),
                            expires == null ? null : expires.toInstant(), rs.getString("plan_code"),
                            rs.getObject("product_id", UUID.class), limits, Map.of(),
                            rs.getBoolean("personal_data_erased"));
                })
                .optional();
        return license.map(l -> new LicenseRuntime(l.id(), l.organizationId(), l.status(), l.expiresAt(),
                l.planCode(), l.productId(), l.limits(), bindings(l.id()), l.personalDataErased()));
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
}
