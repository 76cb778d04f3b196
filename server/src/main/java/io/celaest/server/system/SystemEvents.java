package io.celaest.server.system;

import io.celaest.api.platform.MetadataKeys;
import io.celaest.api.system.EventDeadLettered;
import io.celaest.api.system.MigrationsApplied;
import io.celaest.api.system.NodeStarted;
import io.celaest.api.system.NodeStopping;
import io.celaest.api.system.ReplayFinished;
import io.celaest.api.system.ReplayStarted;
import io.celaest.api.system.UnhandledError;
import io.celaest.server.platform.axon.BoundedEventPublisher;
import io.celaest.server.platform.security.RequestContext;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import org.axonframework.eventhandling.EventBus;
import org.axonframework.eventhandling.GenericEventMessage;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

import java.net.InetAddress;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Publishes the platform's own events (node lifecycle, migrations, replays, dead letters, unhandled errors) through
 * the event bus, outside any aggregate stream, with {@code actorKind=system}: they land in the event log, hence in
 * the audit log and the hash chain, and the {@code system_events} read model shows them to the platform operator.
 * <p>
 * Never in the caller's way, the same pattern as {@code FailureAuditor}: callers only offer a small message to a
 * bounded queue; one background thread appends what is queued in batches. When the queue is full the event is
 * dropped and counted ({@code celaest.system.events.dropped}); a failed append is logged and counted.
 */
@Component
public class SystemEvents implements SmartLifecycle {

    /** How long stopping waits for the queue (NodeStopping last) to be appended; shutdown never waits longer. */
    private static final long STOP_WAIT_MILLIS = 3000;

    private final ObjectProvider<MeterRegistry> meters;
    private final BoundedEventPublisher publisher;
    private final String nodeId;
    private final String host;
    private final String version;
    public SystemEvents(ObjectProvider<EventBus> eventBus, ObjectProvider<MeterRegistry> meters,
                        ObjectProvider<BuildProperties> build,
                        @Value("${celaest.node-id:}") String nodeId,
                        @Value("${celaest.system.event-queue-capacity:1000}") int capacity) {
        this.meters = meters;
        this.publisher = new BoundedEventPublisher("system events", "celaest.system.events", () -> eventBus.getObject(),
                capacity);
        this.host = hostName();
        this.nodeId = nodeId == null || nodeId.isBlank()
                ? cut(host, 200) + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt())
                : cut(nodeId, 255);
        BuildProperties properties = build == null ? null : build.getIfAvailable();
        String implementation = SystemEvents.class.getPackage().getImplementationVersion();
        this.version = properties != null && properties.getVersion() != null ? properties.getVersion()
                : implementation != null ? implementation : "dev";
    }

    /** This process's name in the system events. */
    public String nodeId() {
        return nodeId;
    }

    // --- what the platform calls ---

    public void nodeStarted() {
        offer(new NodeStarted(nodeId, version, host), null);
    }

    public void nodeStopping() {
        offer(new NodeStopping(nodeId), null);
    }

    public void migrationsApplied(String fromVersion, String toVersion, int count) {
        offer(new MigrationsApplied(nodeId, fromVersion, toVersion, count), null);
    }

    public void replayStarted(String processor) {
        offer(new ReplayStarted(processor, nodeId), null);
    }

    public void replayFinished(String processor, Long position, long durationMillis) {
        offer(new ReplayFinished(processor, nodeId, position, durationMillis), null);
    }

    public void deadLettered(String processor, String deadLetterId, String eventIdentifier, String payloadType,
                             String causeType, String cause, Instant enqueuedAt) {
        offer(new EventDeadLettered(processor, deadLetterId, eventIdentifier, cut(payloadType, 255),
                cut(causeType, 255), firstLine(cause, 1000), enqueuedAt, nodeId), null);
    }

    /**
     * An error nothing handled, answered with a 500 on the request being served on this thread: where is the
     * request's method and path (without the query string), the correlation id the one the client was given.
     */
    public void unhandledError(Throwable error) {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        HttpServletRequest request = attributes instanceof ServletRequestAttributes servlet ? servlet.getRequest() : null;
        RequestContext context = RequestContext.current();
        unhandledError(request == null ? "unknown" : request.getMethod() + " " + request.getRequestURI(), error,
                context == null ? null : context.correlationId());
    }

    /** An error nothing handled in {@code where} (a request or a component's name). */
    public void unhandledError(String where, Throwable error, String correlationId) {
        Throwable root = error;
        while (root != null && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String correlation = correlationId != null && correlationId.matches("[A-Za-z0-9._:-]{1,100}")
                ? correlationId : UUID.randomUUID().toString();
        offer(new UnhandledError(nodeId, cut(where, 500), root == null ? null : root.getClass().getName(),
                root == null ? null : firstLine(root.getMessage(), 500), correlation), correlation);
    }

    /** How many system events were dropped because the queue was full (also a Micrometer counter). */
    public long droppedCount() {
        return publisher.droppedCount();
    }

    // --- queue ---

    private void offer(Object payload, String correlationId) {
        Map<String, Object> metadata = new HashMap<>();
        metadata.put(MetadataKeys.ACTOR_ID, "system");
        metadata.put(MetadataKeys.ACTOR_KIND, "system");
        metadata.put(MetadataKeys.CORRELATION_ID, correlationId != null ? correlationId : UUID.randomUUID().toString());
        publisher.offer(GenericEventMessage.asEventMessage(payload).andMetaData(metadata));
    }

    @Override
    public void start() {
        publisher.start(meters.getIfAvailable());
    }

    /** Appends what is still queued (NodeStopping among it), waiting at most a few seconds: never blocks shutdown. */
    @Override
    public void stop() {
        publisher.stop(STOP_WAIT_MILLIS);
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

    private static String hostName() {
        String host = System.getenv("HOSTNAME");
        if (host != null && !host.isBlank()) {
            return host;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown-host";
        }
    }

    /** The first line of a message, cut short: enough to recognise an error, not a dump of its data. */
    static String firstLine(String value, int max) {
        if (value == null) {
            return null;
        }
        int newline = value.indexOf('\n');
        return cut(newline >= 0 ? value.substring(0, newline).stripTrailing() : value, max);
    }

    static String cut(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }
}
