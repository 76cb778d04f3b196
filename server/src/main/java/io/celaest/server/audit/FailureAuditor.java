package io.celaest.server.audit;

import io.celaest.api.audit.AccessDenied;
import io.celaest.api.audit.CommandRejected;
import io.celaest.api.platform.Caller;
import io.celaest.api.platform.MetadataKeys;
import io.celaest.server.platform.axon.BoundedEventPublisher;
import io.celaest.server.platform.security.AuthenticationFilter;
import io.celaest.server.platform.security.ClientIpSealer;
import io.celaest.server.platform.security.RequestContext;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import org.axonframework.eventhandling.EventBus;
import org.axonframework.eventhandling.GenericEventMessage;
import io.celaest.command.licensing.LicenseOwnership;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Records denied requests (401/403) and rejected commands (404/409/422 of a write) as events outside any
 * aggregate stream ({@link AccessDenied}, {@link CommandRejected}), so the audit log shows failures next to
 * successes. Never copies the presented token: only who (when known), what was asked, and from where (the client
 * IP sealed like every request's, see {@link ClientIpSealer}).
 * <p>
 * Cheap and bounded on the request path, so a flood of bad tokens cannot turn auditing into a denial of
 * service: the request thread only builds a small message and offers it to a bounded queue; one background
 * thread appends what is queued in batches (one event-store append per batch of up to 100). When the queue is
 * full the record is dropped and counted ({@code celaest.audit.failures.dropped}), never waited for.
 */
@Component
public class FailureAuditor implements SmartLifecycle {

    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");
    private static final Pattern ORGANIZATION_PATH = Pattern.compile("/organizations/([0-9a-fA-F-]{36})(?:/|$)");
    private static final Pattern LICENSE_PATH = Pattern.compile("^/api/v1/licenses/([0-9a-fA-F-]{36})(?:/|$)");

    private final ObjectProvider<MeterRegistry> meters;
    private final BoundedEventPublisher publisher;
    private final ClientIpSealer clientIps;
    private final ObjectProvider<LicenseOwnership> licenses;

    /**
     * Axon and the meter registry are resolved lazily: the authentication filter needs this bean while the web
     * server starts, before they should be created.
     */
    public FailureAuditor(ObjectProvider<EventBus> eventBus, ObjectProvider<MeterRegistry> meters,
                          ClientIpSealer clientIps, ObjectProvider<LicenseOwnership> licenses,
                          @Value("${celaest.audit.failure-queue-capacity:10000}") int capacity) {
        this.licenses = licenses;
        this.meters = meters;
        this.clientIps = clientIps;
        this.publisher = new BoundedEventPublisher("audit records of denied/rejected attempts",
                "celaest.audit.failures", () -> eventBus.getObject(), capacity);
    }

    // --- what the web layer calls ---

    /** A request refused with 401 or 403; {@code caller} is null when the credentials were missing or bad. */
    public void denied(HttpServletRequest request, Caller caller, int status, String reason) {
        if (request == null) {
            return;
        }
        UUID organization = caller == null ? null : caller.organizationId();
        offer(new AccessDenied(organization, status, request.getMethod(), path(request), cut(reason, 500)),
                request, caller);
    }

    /** {@link #denied(HttpServletRequest, Caller, int, String)} for the request being served on this thread. */
    public void denied(int status, String reason) {
        HttpServletRequest request = currentRequest();
        denied(request, caller(request), status, reason);
    }

    /**
     * A write refused with 404, 409 or 422. Reads (GET, HEAD, …) answering 404 are not attempts to change
     * anything and are ignored. The command's name and target come from {@link CommandAttempts} when a command
     * was dispatched during the request.
     */
    public void rejected(HttpServletRequest request, Caller caller, int status, String code, String reason) {
        if (request == null || SAFE_METHODS.contains(request.getMethod().toUpperCase(Locale.ROOT))) {
            return;
        }
        CommandAttempts.Attempt attempt = CommandAttempts.last(request);
        UUID organization = caller != null && caller.organizationId() != null ? caller.organizationId()
                : attempt != null && attempt.organizationId() != null ? attempt.organizationId()
                : organizationInPath(request);
        if (organization == null) {
            organization = organizationOfLicenseInPath(request);
        }
        offer(new CommandRejected(attempt == null ? null : attempt.command(), organization,
                        attempt == null ? null : attempt.resourceId(), status, cut(code, 100), cut(reason, 500),
                        request.getMethod(), path(request)),
                request, caller);
    }

    /** {@link #rejected(HttpServletRequest, Caller, int, String, String)} for the request on this thread. */
    public void rejected(int status, String code, String reason) {
        HttpServletRequest request = currentRequest();
        rejected(request, caller(request), status, code, reason);
    }

    /** How many records were dropped because the queue was full (also a Micrometer counter). */
    public long droppedCount() {
        return publisher.droppedCount();
    }

    // --- queue ---

    private void offer(Object payload, HttpServletRequest request, Caller caller) {
        publisher.offer(GenericEventMessage.asEventMessage(payload).andMetaData(metadata(request, caller)));
    }

    private Map<String, Object> metadata(HttpServletRequest request, Caller caller) {
        RequestContext context = RequestContext.current();
        Map<String, Object> metadata = new HashMap<>();
        if (caller != null) {
            metadata.put(MetadataKeys.ACTOR_ID, caller.actorId());
            metadata.put(MetadataKeys.ACTOR_KIND, caller.kind().name().toLowerCase(Locale.ROOT));
            if (caller.organizationId() != null) {
                metadata.put(MetadataKeys.ORGANIZATION_ID, caller.organizationId().toString());
            }
        } else {
            metadata.put(MetadataKeys.ACTOR_KIND, "anonymous");
        }
        // under the key of the actor recorded above, or the anonymous one (see ClientIpSealer)
        putIfPresent(metadata, MetadataKeys.CLIENT_IP,
                clientIps.seal(caller, context != null ? context.clientIp() : request.getRemoteAddr()));
        putIfPresent(metadata, MetadataKeys.USER_AGENT, context != null ? context.userAgent()
                : cut(request.getHeader(HttpHeaders.USER_AGENT), 500));
        String correlation = context != null ? context.correlationId() : request.getHeader("X-Correlation-Id");
        metadata.put(MetadataKeys.CORRELATION_ID, correlation != null && correlation.matches("[A-Za-z0-9._:-]{1,100}")
                ? correlation : UUID.randomUUID().toString());
        putIfPresent(metadata, MetadataKeys.IDEMPOTENCY_KEY, context != null ? context.idempotencyKey()
                : cut(request.getHeader("Idempotency-Key"), 255));
        return metadata;
    }

    @Override
    public void start() {
        publisher.start(meters.getIfAvailable());
    }

    @Override
    public void stop() {
        publisher.stop(TimeUnit.SECONDS.toMillis(5));
    }

    @Override
    public boolean isRunning() {
        return publisher.isRunning();
    }

    /** Starts after Axon (whose components start in lower phases) and stops before it. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1000;
    }

    // --- request helpers ---

    private static HttpServletRequest currentRequest() {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        return attributes instanceof ServletRequestAttributes servlet ? servlet.getRequest() : null;
    }

    private static Caller caller(HttpServletRequest request) {
        return request == null ? null : (Caller) request.getAttribute(AuthenticationFilter.CALLER_ATTRIBUTE);
    }

    private static UUID organizationInPath(HttpServletRequest request) {
        Matcher matcher = ORGANIZATION_PATH.matcher(request.getRequestURI());
        if (matcher.find()) {
            try {
                return UUID.fromString(matcher.group(1));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return null;
    }

    /**
     * The organization of the license a {@code /licenses/{id}/…} request names: the operator's rejected lifecycle
     * commands carry no organization otherwise, and that organization's auditors must see them too.
     */
    private UUID organizationOfLicenseInPath(HttpServletRequest request) {
        Matcher matcher = LICENSE_PATH.matcher(request.getRequestURI());
        if (!matcher.find()) {
            return null;
        }
        try {
            return licenses.getObject().organizationOf(UUID.fromString(matcher.group(1))).orElse(null);
        } catch (RuntimeException unknown) {                    // not a UUID, or the database is away: no owner
            return null;
        }
    }

    /** The path without the query string (which is not needed and could carry anything). */
    private static String path(HttpServletRequest request) {
        return cut(request.getRequestURI(), 500);
    }

    private static void putIfPresent(Map<String, Object> metadata, String key, Object value) {
        if (value != null) {
            metadata.put(key, value);
        }
    }

    private static String cut(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }
}
