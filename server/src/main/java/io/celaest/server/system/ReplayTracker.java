package io.celaest.server.system;

import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * ReplayStarted when the operator resets a processor ({@link ProcessorAdminController}), ReplayFinished when that
 * processor has caught up again: checked every second while a replay started on this node is in progress.
 * <p>
 * Finished means: the processor runs and holds segments on this node, none is in error, and each is either a
 * replay that caught up with the event log or a regular token again (the replay ended with a new event) beyond
 * the head of the log when the replay started. A node holding none of the processor's segments (another
 * node claimed them all) reports nothing until it gets some.
 */
@Component
public class ReplayTracker {

    private static final Logger log = LoggerFactory.getLogger(ReplayTracker.class);

    /** {@code resetSeen}: a check saw the processor without segments or replaying, so its status is post-reset. */
    record Replay(Instant startedAt, long headAtStart, boolean resetSeen) {
    }

    /** Status older than the reset can only linger until the restarted processor claims its segments. */
    private static final Duration STALE_STATUS = Duration.ofSeconds(5);

    private final ProjectionProgress progress;
    private final SystemEvents events;
    private final Map<String, Replay> inProgress = new ConcurrentHashMap<>();

    public ReplayTracker(ProjectionProgress progress, SystemEvents events) {
        this.progress = progress;
        this.events = events;
    }

    /** The processor was just reset and restarted: records ReplayStarted and watches for its end. */
    public void started(String processor) {
        inProgress.put(processor, new Replay(Instant.now(), progress.head(), false));
        events.replayStarted(processor);
    }

    /** True while a replay of this processor started on this node has not been seen finishing. */
    public boolean inProgress(String processor) {
        return inProgress.containsKey(processor);
    }

    @Scheduled(fixedDelayString = "${celaest.system.replay-check-interval:PT1S}")
    void check() {
        if (inProgress.isEmpty()) {
            return;
        }
        try {
            Map<String, StreamingEventProcessor> processors = progress.processors();
            for (Map.Entry<String, Replay> entry : inProgress.entrySet()) {
                String name = entry.getKey();
                Replay replay = entry.getValue();
                StreamingEventProcessor processor = processors.get(name);
                if (processor == null) {
                    inProgress.remove(name);
                    continue;
                }
                Map<Integer, EventTrackerStatus> segments = processor.processingStatus();
                if (!replay.resetSeen() && (segments.isEmpty()
                        || segments.values().stream().anyMatch(EventTrackerStatus::isReplaying))) {
                    Replay seen = new Replay(replay.startedAt(), replay.headAtStart(), true);
                    inProgress.replace(name, replay, seen);
                    replay = seen;
                }
                boolean trusted = replay.resetSeen()
                        || Duration.between(replay.startedAt(), Instant.now()).compareTo(STALE_STATUS) >= 0;
                if (finished(processor, replay.headAtStart(), trusted) && inProgress.remove(name, replay)) {
                    OptionalLong position = ProjectionProgress.position(processor);
                    events.replayFinished(name, position.isPresent() ? position.getAsLong() : null,
                            Duration.between(replay.startedAt(), Instant.now()).toMillis());
                }
            }
        } catch (RuntimeException e) {
            log.warn("Could not check the progress of replays {}", inProgress.keySet(), e);
        }
    }

    /**
     * A segment is done when its replay caught up, or when its replay already ended (a regular token again, caught
     * up) beyond the head of the log at the reset; at the head exactly only once the status is known to be
     * post-reset ({@code trusted}): a status from before the reset cannot be beyond that head.
     */
    static boolean finished(StreamingEventProcessor processor, long headAtStart, boolean trusted) {
        Map<Integer, EventTrackerStatus> segments = processor.processingStatus();
        if (!processor.isRunning() || processor.isError() || segments.isEmpty()) {
            return false;
        }
        for (EventTrackerStatus segment : segments.values()) {
            if (segment.isErrorState()) {
                return false;
            }
            boolean done = segment.isReplaying()
                    ? segment.isCaughtUp()
                    : segment.isCaughtUp() && (segment.getCurrentPosition().orElse(-1) > headAtStart
                    || trusted && segment.getCurrentPosition().orElse(-1) >= headAtStart);
            if (!done) {
                return false;
            }
        }
        return true;
    }
}
