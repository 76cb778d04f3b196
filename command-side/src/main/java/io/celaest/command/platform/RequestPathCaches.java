package io.celaest.command.platform;

import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Caffeine builders for the caches read on every request (license validations, API keys, aggregates). Caffeine does
 * its upkeep (replaying reads into the eviction policy, expiring entries) on {@code ForkJoinPool.commonPool()} by
 * default, which on the validation path woke a pool thread about 900 times a second for 0.03 cores
 * (docs/benchmarks.md, licensing). With these, the request thread that fills a read buffer drains it, under
 * Caffeine's own try-lock: no thread is woken and none waits for another.
 */
public final class RequestPathCaches {

    private RequestPathCaches() {
    }

    public static Caffeine<Object, Object> newBuilder() {
        return Caffeine.newBuilder().executor(Runnable::run);
    }
}
