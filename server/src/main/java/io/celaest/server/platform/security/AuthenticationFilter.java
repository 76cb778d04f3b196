package io.celaest.server.platform.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.celaest.api.platform.Caller;
import io.celaest.server.audit.FailureAuditor;
import io.celaest.server.platform.web.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.Optional;
import java.util.UUID;

/**
 * Every {@code /api/} request needs {@code Authorization: Bearer <key>}; the resolved caller and the request's
 * origin (client IP, user agent, correlation id) become the {@link RequestContext} of the request's thread.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
public class AuthenticationFilter extends OncePerRequestFilter {

    public static final String CALLER_ATTRIBUTE = Caller.class.getName();
    private static final String BEARER = "Bearer ";

    private final ApiKeyAuthenticator authenticator;
    private final ObjectMapper json;
    private final FailureAuditor failures;

    public AuthenticationFilter(ApiKeyAuthenticator authenticator, ObjectMapper json,
                                FailureAuditor failures) {
        this.authenticator = authenticator;
        this.json = json;
        this.failures = failures;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/api/");
    }

    /** Endpoints without a bearer token: the public key that verifies offline license files. (License validation
     *  takes none either; it is served ahead of the servlets, by LicenseValidationHandler.) */
    public static final java.util.Set<String> PUBLIC_ENDPOINTS = java.util.Set.of("GET /api/v1/licensing/public-key");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (PUBLIC_ENDPOINTS.contains(request.getMethod() + " " + request.getRequestURI())) {
            serve(request, response, chain, Caller.licenseKeyHolder(), false);
            return;
        }
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        Optional<Caller> caller = header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())
                ? authenticator.authenticate(header.substring(BEARER.length()).trim())
                : Optional.empty();
        if (caller.isEmpty()) {
            failures.denied(request, null, 401, header == null ? "no bearer token" : "invalid bearer token");
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"celaest\"");
            Problems.write(request, response, json, Problems.of(HttpStatus.UNAUTHORIZED, "UNAUTHENTICATED",
                    header == null ? "An Authorization: Bearer <API key> header is required"
                            : "The bearer token is not a valid, active API key"));
            return;
        }
        serve(request, response, chain, caller.get(), true);
    }

    /** Runs the request with its context (copied into command metadata); only bearer callers reach controllers' Caller. */
    private void serve(HttpServletRequest request, HttpServletResponse response, FilterChain chain, Caller caller,
                       boolean bearer) throws ServletException, IOException {
        if (bearer) {
            request.setAttribute(CALLER_ATTRIBUTE, caller);
        }
        RequestContext.set(new RequestContext(caller, request.getRemoteAddr(),
                truncate(request.getHeader(HttpHeaders.USER_AGENT), 500), correlationId(request),
                truncate(request.getHeader("Idempotency-Key"), 255)));
        response.setHeader("X-Correlation-Id", RequestContext.current().correlationId());
        try {
            chain.doFilter(request, response);
        } finally {
            RequestContext.clear();
        }
    }

    private static String correlationId(HttpServletRequest request) {
        String given = request.getHeader("X-Correlation-Id");
        return given != null && given.matches("[A-Za-z0-9._:-]{1,100}") ? given : UUID.randomUUID().toString();
    }

    private static String truncate(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }
}
