package io.celaest.command.licensing;

import com.github.benmanes.caffeine.cache.Cache;
import io.celaest.api.licensing.BindLicense;
import io.celaest.api.licensing.BindingKind;
import io.celaest.api.licensing.CollisionPolicy;
import io.celaest.api.licensing.LicenseStatus;
import io.celaest.api.licensing.ReportCollision;
import io.celaest.api.platform.PersonalData;
import io.celaest.api.platform.RuleViolation;
import io.celaest.api.platform.TimeOrderedIds;
import io.celaest.api.platform.TooManyRequests;
import io.celaest.command.platform.RequestPathCaches;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The validation hot path. Reads the license from {@link LicenseDirectory} (memory, or one indexed lookup), runs
 * the checks in their documented order, and only reaches the License aggregate when something changes: a device
 * binding for the first time (exact limit), or a collision. Every validation, whatever its answer, is committed to
 * {@code license_validations} before the answer leaves.
 */
@Component
public class LicenseValidator {

    /** The outcome of one validation; {@code license} is null when the key matched nothing. */
    public record Outcome(ValidationCode code, LicenseRuntime license) {
        public boolean valid() {
            return code == ValidationCode.VALID;
        }
    }

    private static final Logger log = LoggerFactory.getLogger(LicenseValidator.class);
    /** A binding's last use is written at most this often; its TTL is counted in days. */
    private static final Duration TOUCH_EVERY = Duration.ofHours(1);

    private final LicenseDirectory directory;
    private final ValidationRateLimiter limiter;
    private final CollisionWatch collisions;
    private final ValidationLog validations;
    private final CommandGateway commands;
    private final Clock clock;
    private final int suspendAfterCollisions;
    private final Cache<UUID, Instant> touched = RequestPathCaches.newBuilder().expireAfterWrite(TOUCH_EVERY)
            .maximumSize(1_000_000).build();

    public LicenseValidator(LicenseDirectory directory, ValidationRateLimiter limiter, CollisionWatch collisions,
                            ValidationLog validations, CommandGateway commands, Optional<Clock> clock,
                            @Value("${celaest.licensing.suspend-after-collisions:3}") int suspendAfterCollisions) {
        this.directory = directory;
        this.limiter = limiter;
        this.collisions = collisions;
        this.validations = validations;
        this.commands = commands;
        this.clock = clock.orElse(Clock.systemUTC());
        this.suspendAfterCollisions = suspendAfterCollisions;
    }

    /** A decided validation: its outcome, answerable once {@code recorded} completes (it fails if it could not be). */
    public record Validation(Outcome outcome, CompletableFuture<Void> recorded) {
    }

    /**
     * Decides on this thread and hands the validation to the group commit of {@code license_validations}: the
     * caller prepares its answer now and sends it when {@code recorded} completes, without holding a thread while
     * the commit runs. Throws {@link TooManyRequests} at once when a rate limit stops the request.
     */
    public Validation validate(String key, String fingerprint, UUID productId, String ip) {
        byte[] keyHash = LicenseKeys.hashOfCanonical(key);
        OptionalLong wait = limiter.tryAcquire(ip, keyHash);
        if (wait.isPresent()) {
            throw new TooManyRequests("Too many validations from this address or of this key", wait.getAsLong());
        }
        Instant now = clock.instant();
        LicenseRuntime found = keyHash == null ? null : directory.find(keyHash).orElse(null);
        Decision decision = found == null ? new Decision(ValidationCode.NOT_FOUND, null)
                : decide(found, keyHash, fingerprint, productId, ip, now, true);
        // the holder's data of an erased license stays erased: its key may still be presented by their devices
        boolean erased = found != null && found.personalDataErased();
        CompletableFuture<Void> recorded = validations.record(new ValidationLog.Entry(
                TimeOrderedIds.forLogRow(now.toEpochMilli()), found == null ? null : found.id(),
                found == null ? null : found.organizationId(), now, erased ? PersonalData.ERASED : ip,
                erased && fingerprint != null ? PersonalData.ERASED : fingerprint, productId, decision.code().name(),
                decision.code() == ValidationCode.VALID, decision.touch()));
        return new Validation(new Outcome(decision.code(), found), recorded);
    }

    private record Decision(ValidationCode code, UUID touch) {
    }

    private Decision decide(LicenseRuntime license, byte[] keyHash, String fingerprint, UUID productId, String ip,
                            Instant now, boolean mayRetry) {
        if (license.status() == LicenseStatus.SUSPENDED) {
            return new Decision(ValidationCode.SUSPENDED, null);
        }
        if (license.status() == LicenseStatus.CANCELLED) {
            return new Decision(ValidationCode.CANCELLED, null);
        }
        // The deadline applies LicenseExpired at expiresAt; until it has run, the instant itself decides.
        if (license.status() == LicenseStatus.EXPIRED
                || (license.expiresAt() != null && !now.isBefore(license.expiresAt()))) {
            return new Decision(ValidationCode.EXPIRED, null);
        }
        if (productId != null && license.productId() != null && !productId.equals(license.productId())) {
            return new Decision(ValidationCode.PRODUCT_SCOPE_MISMATCH, null);
        }
        BindingKind kind = fingerprint != null ? BindingKind.FINGERPRINT : BindingKind.IP;
        String device = fingerprint != null ? fingerprint : ip;
        UUID binding = license.bindings().get(LicenseRuntime.bindingKey(kind, device));
        int max = license.limits().maxIpBindings();
        if (binding == null && max != -1 && license.bindings().size() >= max) {
            return new Decision(ValidationCode.TOO_MANY_BINDINGS, null);
        }
        // Collisions before binding: a device whose use is blocked must not take a binding slot (nor appear in
        // the license's offline certificate).
        Optional<CollisionWatch.Collision> collision = collisions.observe(license.id(), ip, now,
                license.limits().maxConcurrentIps());
        if (collision.isPresent()) {
            CollisionWatch.Collision c = collision.get();
            if (c.report()) {
                report(license, c);
            }
            if (c.excess() && license.limits().collisionPolicy() == CollisionPolicy.BLOCK) {
                return new Decision(ValidationCode.COLLISION_BLOCKED, binding == null ? null : touch(binding, now));
            }
        }
        if (binding == null) {
            try {
                binding = commands.sendAndWait(new BindLicense(license.id(), TimeOrderedIds.next(), kind, device, false));
                directory.invalidate(license.id());
                touched.put(binding, now);
            } catch (RuleViolation rejected) {
                directory.invalidate(license.id());
                if ("TOO_MANY_BINDINGS".equals(rejected.code())) {
                    return new Decision(ValidationCode.TOO_MANY_BINDINGS, null);
                }
                // the license changed under us (e.g. suspended on another node): decide again on its new state
                Optional<LicenseRuntime> fresh = mayRetry ? directory.find(keyHash) : Optional.empty();
                return fresh.map(l -> decide(l, keyHash, fingerprint, productId, ip, now, false))
                        .orElse(new Decision(ValidationCode.NOT_FOUND, null));
            }
        }
        return new Decision(ValidationCode.VALID, touch(binding, now));
    }

    private UUID touch(UUID binding, Instant now) {
        if (touched.getIfPresent(binding) != null) {
            return null;
        }
        touched.put(binding, now);
        return binding;
    }

    /** Asynchronous: the answer does not wait for the collision's events (the license is reread afterwards). */
    private void report(LicenseRuntime license, CollisionWatch.Collision collision) {
        commands.send(new ReportCollision(license.id(), TimeOrderedIds.next(), collision.ips(), collision.windowStart(),
                        collision.windowEnd(), suspendAfterCollisions))
                .whenComplete((result, failure) -> {
                    directory.invalidate(license.id());
                    if (failure != null) {
                        log.warn("Could not record a collision of license {}", license.id(), failure);
                    }
                });
    }
}
