package io.celaest.server.platform.consistency;

import com.github.benmanes.caffeine.cache.Cache;
import io.celaest.api.platform.Caller;
import io.celaest.command.platform.RequestPathCaches;
import io.celaest.server.platform.security.ApiKeyAuthenticator;
import io.celaest.server.platform.security.AuthenticationFilter;
import io.celaest.server.system.ProjectionProgress;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Read-your-writes without client sleeps: a GET from a caller who changed something in the last minute waits
 * (bounded) until every projection on this node has handled the event log up to its head, so the caller's
 * own writes are visible. So does a key created in the last minute (its holder saw it, and its organization,
 * created). Other callers are never delayed.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 40)
public class ReadYourWritesFilter extends OncePerRequestFilter {

    private final ProjectionProgress progress;
    private final ApiKeyAuthenticator keys;
    private final Duration timeout;
    /** Callers who wrote within the last minute; older entries expire on their own. */
    private final Cache<String, Boolean> recentWriters = RequestPathCaches.newBuilder()
            .expireAfterWrite(Duration.ofMinutes(1))
            .maximumSize(1_000_000)
            .build();

    public ReadYourWritesFilter(ProjectionProgress progress, ApiKeyAuthenticator keys,
                                @Value("${celaest.read-your-writes-timeout:5s}") Duration timeout) {
        this.progress = progress;
        this.keys = keys;
        this.timeout = timeout;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Caller caller = (Caller) request.getAttribute(AuthenticationFilter.CALLER_ATTRIBUTE);
        if (caller == null) {
            chain.doFilter(request, response);
            return;
        }
        boolean read = "GET".equals(request.getMethod());
        if (read) {
            if (recentWriters.getIfPresent(caller.actorId()) != null || keys.isNewKey(caller)) {
                awaitProjections();
            }
        }
        chain.doFilter(request, response);
        if (!read && response.getStatus() < 300) {
            recentWriters.put(caller.actorId(), Boolean.TRUE);
        }
    }

    private void awaitProjections() {
        long head = progress.head();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!progress.reached(head) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }
}
