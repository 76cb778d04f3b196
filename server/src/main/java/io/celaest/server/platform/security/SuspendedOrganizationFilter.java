package io.celaest.server.platform.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import io.celaest.api.identity.OrganizationReactivated;
import io.celaest.api.identity.OrganizationSuspended;
import io.celaest.api.platform.ActorKind;
import io.celaest.api.platform.Caller;
import io.celaest.command.platform.RequestPathCaches;
import io.celaest.server.platform.web.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.time.Duration;
import java.util.UUID;

/**
 * A suspended organization's keys may read (its data stays the customer's to see and export) and erase personal
 * data (a GDPR duty does not wait for a payment), but change nothing else: 409 ORGANIZATION_SUSPENDED. The platform
 * operator is not held back. The node that stores a suspension or reactivation applies it at once; other nodes
 * read the status from the organizations read model, at most 3 seconds old per organization.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 25)
@ProcessingGroup(ApiKeyAuthenticator.LOCAL_CACHES)
public class SuspendedOrganizationFilter extends OncePerRequestFilter {

    private final JdbcClient jdbc;
    private final ObjectMapper json;
    private final Cache<UUID, Boolean> suspended = RequestPathCaches.newBuilder()
            .expireAfterWrite(Duration.ofSeconds(3))
            .maximumSize(100_000)
            .build();

    public SuspendedOrganizationFilter(JdbcClient jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String method = request.getMethod();
        return "GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method)
                || !request.getRequestURI().startsWith("/api/") || request.getRequestURI().endsWith("/erase");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Caller caller = (Caller) request.getAttribute(AuthenticationFilter.CALLER_ATTRIBUTE);
        if (caller != null && caller.kind() == ActorKind.API_KEY && caller.organizationId() != null
                && suspended.get(caller.organizationId(), this::isSuspended)) {
            Problems.write(request, response, json, Problems.of(HttpStatus.CONFLICT, "ORGANIZATION_SUSPENDED",
                    "The organization is suspended: its keys may read and erase personal data, not change anything"));
            return;
        }
        chain.doFilter(request, response);
    }

    /** This node learns of a suspension or reactivation from the event itself, without waiting for the cache. */
    @EventHandler
    void on(OrganizationSuspended event) {
        OnceDurable.run(() -> suspended.put(event.organizationId(), Boolean.TRUE));
    }

    @EventHandler
    void on(OrganizationReactivated event) {
        OnceDurable.run(() -> suspended.put(event.organizationId(), Boolean.FALSE));
    }

    private boolean isSuspended(UUID organizationId) {
        return jdbc.sql("SELECT status = 'suspended' FROM organizations WHERE id = ?")
                .param(organizationId)
                .query(Boolean.class)
                .optional()
                .orElse(false);
    }
}
