package io.celaest.server.platform.security;

import io.celaest.api.platform.Caller;

/**
 * What is known about the HTTP request being served: who calls and from where. Set by
 * {@link AuthenticationFilter} for the request's thread and copied into every command's metadata.
 */
public record RequestContext(Caller caller, String clientIp, String userAgent, String correlationId,
                             String idempotencyKey) {

    private static final ThreadLocal<RequestContext> CURRENT = new ThreadLocal<>();

    public static RequestContext current() {
        return CURRENT.get();
    }

    /** For the filters that serve a request (authentication, the license validation endpoint). */
    public static void set(RequestContext context) {
        CURRENT.set(context);
    }

    public static void clear() {
        CURRENT.remove();
    }
}
