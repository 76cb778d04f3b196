package io.celaest.command.licensing;

import com.github.benmanes.caffeine.cache.Cache;
import io.celaest.command.platform.RequestPathCaches;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.local.SynchronizationStrategy;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * Token buckets (Bucket4j) per license key and per client IP, on this node. The defaults let a well-behaved
 * client through — a burst of 100 validations of one key, then 10 per second; 2000 per IP, then 500 per second —
 * and stop a client hammering one key or sweeping many keys from one address.
 */
@Component
public class ValidationRateLimiter {

    private final Cache<ByteBuffer, Bucket> perKey;
    private final Cache<String, Bucket> perIp;
    private final Bandwidth keyLimit;
    private final Bandwidth ipLimit;

    public ValidationRateLimiter(
            @Value("${celaest.licensing.rate-limit.per-key.capacity:100}") long keyCapacity,
            @Value("${celaest.licensing.rate-limit.per-key.per-second:10}") long keyPerSecond,
            @Value("${celaest.licensing.rate-limit.per-ip.capacity:2000}") long ipCapacity,
            @Value("${celaest.licensing.rate-limit.per-ip.per-second:500}") long ipPerSecond) {
        this.keyLimit = Bandwidth.builder().capacity(keyCapacity).refillGreedy(keyPerSecond, Duration.ofSeconds(1))
                .build();
        this.ipLimit = Bandwidth.builder().capacity(ipCapacity).refillGreedy(ipPerSecond, Duration.ofSeconds(1))
                .build();
        this.perKey = RequestPathCaches.newBuilder().expireAfterAccess(Duration.ofMinutes(10)).maximumSize(1_000_000).build();
        this.perIp = RequestPathCaches.newBuilder().expireAfterAccess(Duration.ofMinutes(10)).maximumSize(1_000_000).build();
    }

    /** Empty when allowed; else the seconds to wait before retrying. */
    OptionalLong tryAcquire(String ip, byte[] keyHash) {
        OptionalLong ipWait = take(perIp.get(ip, k -> bucket(ipLimit)));
        if (ipWait.isPresent() || keyHash == null) {
            return ipWait;
        }
        return take(perKey.get(ByteBuffer.wrap(keyHash), k -> bucket(keyLimit)));
    }

    /** Locked, not lock-free: the lock-free bucket allocates a new state per request, garbage on the hot path. */
    private static Bucket bucket(Bandwidth limit) {
        return Bucket.builder().addLimit(limit).withSynchronizationStrategy(SynchronizationStrategy.SYNCHRONIZED)
                .build();
    }

    private static OptionalLong take(Bucket bucket) {
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (probe.isConsumed()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.max(1, (probe.getNanosToWaitForRefill() + 999_999_999L) / 1_000_000_000L));
    }
}
