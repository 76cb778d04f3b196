package io.celaest.server.system;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.SubscribingEventProcessor;
import org.axonframework.eventhandling.TrackingEventProcessor;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Where each projection stands against the head of the event log: used by read-your-writes, readiness,
 * the lag metrics and the operator's replay view. Streaming processors have a position of their own; subscribing
 * ones handle each event in the transaction that stores it, so they stand at the head, except while their read
 * model is being rebuilt ({@link SubscribingRebuilds}).
 */
@Component
public class ProjectionProgress {

    private final EventProcessingConfiguration processing;
    private final JdbcClient jdbc;
    private final MeterRegistry meters;
    private final SubscribingRebuilds rebuilds;

    public ProjectionProgress(EventProcessingConfiguration processing, JdbcClient jdbc, MeterRegistry meters,
                              SubscribingRebuilds rebuilds) {
        this.processing = processing;
        this.jdbc = jdbc;
        this.meters = meters;
        this.rebuilds = rebuilds;
    }

    public record SegmentStatus(int segment, Long position, boolean replaying, boolean caughtUp, boolean errorState,
                                String error) {
    }

    /** {@code mode}: pooled, tracking or subscribing (no segments; at the head unless rebuilding). */
    public record ProcessorStatus(String name, String mode, boolean running, boolean error, boolean replaying,
                                  long head, Long position, Long lag, Double replayProgress,
                                  List<SegmentStatus> segments) {

        /**
         * While a replay started on this node has not been seen finishing ({@link ReplayTracker}): right after the
         * reset, and for most of a short replay, the coordinator has not claimed its segments yet (no position, no
         * lag), and nothing in Axon says a replay is under way, though one is.
         */
        ProcessorStatus replayStarted() {
            if (replaying || (!segments.isEmpty() && segments.stream().allMatch(SegmentStatus::caughtUp))) {
                return this;                                  // Axon's own view, or all caught up: the replay is done
            }
            double progress = position == null || head <= 0 ? 0.0 : Math.min(1.0, (double) position / head);
            return new ProcessorStatus(name, mode, running, error, true, head, position, lag, progress, segments);
        }
    }

    /** Highest committed global index of the event log (0 when empty). */
    public long head() {
        return jdbc.sql("SELECT coalesce(max(global_index), 0) FROM domain_event_entry").query(Long.class).single();
    }

    public Map<String, StreamingEventProcessor> processors() {
        Map<String, StreamingEventProcessor> streaming = new TreeMap<>();
        processing.eventProcessors().forEach((name, processor) -> {
            if (processor instanceof StreamingEventProcessor s) {
                streaming.put(name, s);
            }
        });
        return streaming;
    }

    /** Processors whose handlers run in the transaction that stores the events. */
    public Map<String, SubscribingEventProcessor> subscribing() {
        Map<String, SubscribingEventProcessor> subscribing = new TreeMap<>();
        processing.eventProcessors().forEach((name, processor) -> {
            if (processor instanceof SubscribingEventProcessor s) {
                subscribing.put(name, s);
            }
        });
        return subscribing;
    }

    /** Lowest position over the segments this node works on; empty when it holds none. */
    public static OptionalLong position(StreamingEventProcessor processor) {
        return processor.processingStatus().values().stream()
                .map(EventTrackerStatus::getCurrentPosition)
                .filter(OptionalLong::isPresent)
                .mapToLong(OptionalLong::getAsLong)
                .min();
    }

    /** True when every streaming processor on this node has handled everything up to {@code index}. */
    public boolean reached(long index) {
        for (StreamingEventProcessor processor : processors().values()) {
            // Segments held by another node are that node's to report (scale-out: the event_chain's one
            // segment, or a share of a projection's); this node waits only for what it processes itself.
            Map<Integer, EventTrackerStatus> status = processor.processingStatus();
            for (EventTrackerStatus segment : status.values()) {
                if (segment.getCurrentPosition().orElse(-1) < index || segment.isReplaying() && !segment.isCaughtUp()) {
                    return false;
                }
            }
        }
        return true;
    }

    public List<ProcessorStatus> status() {
        long head = head();
        List<ProcessorStatus> result = new ArrayList<>();
        processors().forEach((name, processor) -> {
            List<SegmentStatus> segments = processor.processingStatus().values().stream()
                    .sorted(Comparator.comparingInt(s -> s.getSegment().getSegmentId()))
                    .map(s -> new SegmentStatus(s.getSegment().getSegmentId(),
                            s.getCurrentPosition().isPresent() ? s.getCurrentPosition().getAsLong() : null,
                            s.isReplaying() && !s.isCaughtUp(), s.isCaughtUp(), s.isErrorState(),
                            s.getError() == null ? null : s.getError().toString()))
                    .toList();
            OptionalLong position = position(processor);
            // A replay token only ends with the next new event; once caught up, the rebuild is done.
            boolean replaying = processor.processingStatus().values().stream()
                    .anyMatch(status -> status.isReplaying() && !status.isCaughtUp());
            Double progress = replaying && head > 0 && position.isPresent()
                    ? Math.min(1.0, (double) position.getAsLong() / head) : null;
            result.add(new ProcessorStatus(name, processor instanceof TrackingEventProcessor ? "tracking" : "pooled",
                    processor.isRunning(), processor.isError(), replaying, head,
                    position.isPresent() ? position.getAsLong() : null,
                    position.isPresent() ? Math.max(0, head - position.getAsLong()) : null, progress, segments));
        });
        subscribing().forEach((name, processor) -> {
            Optional<SubscribingRebuilds.Progress> rebuild = rebuilds.progress(name);
            Long position = rebuild.isPresent() ? rebuild.get().position() : Long.valueOf(head);
            result.add(new ProcessorStatus(name, "subscribing", processor.isRunning(), processor.isError(),
                    rebuild.isPresent(), head, position, position == null ? null : Math.max(0, head - position),
                    rebuild.map(SubscribingRebuilds.Progress::fraction).orElse(null), List.of()));
        });
        result.sort(Comparator.comparing(ProcessorStatus::name));
        return result;
    }

    @EventListener(ApplicationReadyEvent.class)
    void registerLagGauges() {
        processors().forEach((name, processor) -> Gauge.builder("celaest.event.processor.lag", processor,
                        p -> {
                            OptionalLong position = position(p);
                            return position.isPresent() ? Math.max(0, head() - position.getAsLong()) : Double.NaN;
                        })
                .description("Events between the head of the event log and the processor's position")
                .baseUnit("events")
                .tag("processor", name)
                .register(meters));
    }
}
