package io.celaest.server.platform.security;

import com.github.benmanes.caffeine.cache.Cache;
import io.celaest.api.identity.ApiKeyRevoked;
import io.celaest.api.identity.OrganizationDeleted;
import io.celaest.api.identity.PlatformApiKeyRevoked;
import io.celaest.api.platform.ActorKind;
import io.celaest.api.platform.Caller;
import io.celaest.command.identity.ApiKeySecrets;
import io.celaest.command.platform.RequestPathCaches;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.nio.ByteBuffer;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Turns a bearer token into a {@link Caller}. Keys are looked up by the SHA-256 of the secret (an index hit,
 * so no secret is ever compared byte by byte), cached briefly, and dropped from the cache the moment this
 * node sees the key revoked. "Last used" is kept in memory and written in batches, not once per request.
 */
@Component
@ProcessingGroup(ApiKeyAuthenticator.LOCAL_CACHES)
public class ApiKeyAuthenticator {

    static final String PLATFORM_ADMIN_ID = "platform-admin";
    /** Subscribing group: handled on the node that wrote the event, in the writing thread. */
    public static final String LOCAL_CACHES = "local-caches";
    private static final Duration NEW_KEY = Duration.ofMinutes(1);

    private record Credential(UUID keyId, UUID organizationId, Set<String> scopes, Instant expiresAt,
                              boolean revoked, Instant createdAt) {
    }

    private final JdbcClient jdbc;
    private final AdminApiKey adminKey;
    private final Cache<ByteBuffer, Credential> cache = RequestPathCaches.newBuilder()
            .expireAfterWrite(Duration.ofSeconds(10))
            .maximumSize(100_000)
            .build();
    private final Map<UUID, Instant> lastUsed = new ConcurrentHashMap<>();
    /**
     * Keys revoked and organizations deleted on this node in the last minute, recorded once that has committed. A
     * request that missed the cache while the revocation was being written loads the row as it was before the
     * commit and caches it again; without these it would work for the cache's 10 seconds after the DELETE's 204.
     */
    private final Cache<UUID, Boolean> revokedKeys = RequestPathCaches.newBuilder()
            .expireAfterWrite(Duration.ofMinutes(1))
            .maximumSize(100_000)
            .build();
    private final Cache<UUID, Boolean> deletedOrganizations = RequestPathCaches.newBuilder()
            .expireAfterWrite(Duration.ofMinutes(1))
            .maximumSize(100_000)
            .build();
    /** Keys created within the last minute, with their creation time ({@link #isNewKey}). */
    private final Cache<String, Instant> newKeys = RequestPathCaches.newBuilder()
            .expireAfterWrite(NEW_KEY)
            .maximumSize(100_000)
            .build();

    public ApiKeyAuthenticator(JdbcClient jdbc, AdminApiKey adminKey) {
        this.jdbc = jdbc;
        this.adminKey = adminKey;
    }

    public Optional<Caller> authenticate(String token) {
        if (token.length() > 200) {
            return Optional.empty();
        }
        if (adminKey.matches(token)) {
            return Optional.of(Caller.platformAdmin(PLATFORM_ADMIN_ID));
        }
        if (!token.startsWith(ApiKeySecrets.PREFIX)) {
            return Optional.empty();
        }
        ByteBuffer hash = ByteBuffer.wrap(ApiKeySecrets.hash(token));
        Credential credential = cache.getIfPresent(hash);
        if (credential == null) {
            credential = load(hash.array());
            if (credential == null) {
                return Optional.empty();
            }
            cache.put(hash, credential);
            if (credential.createdAt().isAfter(Instant.now().minus(NEW_KEY))) {
                newKeys.put(credential.keyId().toString(), credential.createdAt());
            }
        }
        if (credential.revoked() || (credential.expiresAt() != null && !credential.expiresAt().isAfter(Instant.now()))
                || revokedKeys.getIfPresent(credential.keyId()) != null
                || (credential.organizationId() != null
                    && deletedOrganizations.getIfPresent(credential.organizationId()) != null)) {
            return Optional.empty();
        }
        lastUsed.put(credential.keyId(), Instant.now());
        return Optional.of(new Caller(ActorKind.API_KEY, credential.keyId().toString(), credential.organizationId(),
                credential.scopes()));
    }

    /**
     * Whether the caller's key was created within the last minute. Its holder has seen it created, often with
     * the organization it belongs to, so read-your-writes treats it like a writer: its first reads wait for the
     * projections instead of answering 404 for an organization the read model has not caught up with.
     */
    public boolean isNewKey(Caller caller) {
        if (caller.kind() != ActorKind.API_KEY) {
            return false;
        }
        Instant created = newKeys.getIfPresent(caller.actorId());
        return created != null && created.isAfter(Instant.now().minus(NEW_KEY));
    }

    private Credential load(byte[] hash) {
        return jdbc.sql("""
                        SELECT key_id, organization_id, scopes, expires_at, revoked_at IS NOT NULL AS revoked,
                               created_at
                        FROM api_key_credentials WHERE key_hash = ?""")
                .param(hash)
                .query((rs, n) -> {
                    Timestamp expires = rs.getTimestamp("expires_at");
                    return new Credential(rs.getObject("key_id", UUID.class), rs.getObject("organization_id", UUID.class),
                            Set.of((String[]) rs.getArray("scopes").getArray()),
                            expires == null ? null : expires.toInstant(), rs.getBoolean("revoked"),
                            rs.getTimestamp("created_at").toInstant());
                })
                .optional()
                .orElse(null);
    }

    @EventHandler
    void on(ApiKeyRevoked event) {
        forget(c -> c.keyId().equals(event.keyId()), () -> revokedKeys.put(event.keyId(), Boolean.TRUE));
    }

    @EventHandler
    void on(PlatformApiKeyRevoked event) {
        forget(c -> c.keyId().equals(event.keyId()), () -> revokedKeys.put(event.keyId(), Boolean.TRUE));
    }

    @EventHandler
    void on(OrganizationDeleted event) {
        forget(c -> event.organizationId().equals(c.organizationId()),
                () -> deletedOrganizations.put(event.organizationId(), Boolean.TRUE));
    }

    /** Drops the credentials now and, once the event is durable ({@link OnceDurable}), remembers why. */
    private void forget(Predicate<Credential> which, Runnable remember) {
        cache.asMap().values().removeIf(which);
        OnceDurable.run(() -> {
            remember.run();
            cache.asMap().values().removeIf(which);
        });
    }

    @Scheduled(fixedDelayString = "PT5S")
    void flushLastUsed() {
        if (lastUsed.isEmpty()) {
            return;
        }
        List<Map.Entry<UUID, Instant>> batch = List.copyOf(lastUsed.entrySet());
        batch.forEach(e -> lastUsed.remove(e.getKey(), e.getValue()));
        for (Map.Entry<UUID, Instant> used : batch) {
            Timestamp at = Timestamp.from(used.getValue());
            jdbc.sql("UPDATE api_key_credentials SET last_used_at = ? WHERE key_id = ?").params(at, used.getKey()).update();
            jdbc.sql("UPDATE api_keys SET last_used_at = ? WHERE id = ?").params(at, used.getKey()).update();
        }
    }
}
