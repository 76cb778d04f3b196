package io.celaest.server.platform.axon;

import org.axonframework.common.AxonThreadFactory;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The coordinator thread of a pooled streaming processor, running nothing later than {@code maxDelay} after it
 * is scheduled. Axon's coordinator retries a failure (e.g. PostgreSQL unreachable) after a back-off that doubles
 * from 1 s up to a fixed 60 s (not configurable in Axon 4), so a processor stayed in error, and readiness 503, for
 * up to a minute after the database was back. Its other delays (100 ms, 500 ms, the token claim interval) are
 * shorter than the cap and unchanged.
 */
final class CappedDelayScheduler extends ScheduledThreadPoolExecutor {

    private final long maxDelayNanos;

    CappedDelayScheduler(String threadName, Duration maxDelay) {
        super(1, new AxonThreadFactory(threadName));
        this.maxDelayNanos = maxDelay.toNanos();
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return super.schedule(command, capped(delay, unit), TimeUnit.NANOSECONDS);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return super.schedule(callable, capped(delay, unit), TimeUnit.NANOSECONDS);
    }

    private long capped(long delay, TimeUnit unit) {
        return Math.min(unit.toNanos(delay), maxDelayNanos);
    }
}
