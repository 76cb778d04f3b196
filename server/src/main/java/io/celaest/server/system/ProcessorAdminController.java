package io.celaest.server.system;

import io.celaest.api.platform.Access;
import io.celaest.api.platform.Caller;
import io.celaest.api.platform.RuleViolation;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/**
 * Operator view of the projections: their position against the event log, and a replay that resets a
 * processing group and rebuilds its read model from the log (progress visible here while it runs). A streaming
 * processor is reset and catches up on its own ({@link ReplayTracker} records the end); a subscribing group with a
 * read model (licensing) is rebuilt in one locked transaction ({@link SubscribingRebuilds}).
 */
@RestController
@RequestMapping("/api/v1/admin/processors")
@Tag(name = "Operations")
public class ProcessorAdminController {

    private final ProjectionProgress progress;
    private final ReplayTracker replays;
    private final SubscribingRebuilds rebuilds;

    public ProcessorAdminController(ProjectionProgress progress, ReplayTracker replays, SubscribingRebuilds rebuilds) {
        this.progress = progress;
        this.replays = replays;
        this.rebuilds = rebuilds;
    }

    @GetMapping
    @Operation(summary = "Event processors with position, lag and replay progress (platform operator)")
    public List<ProjectionProgress.ProcessorStatus> list(@Parameter(hidden = true) Caller caller) {
        Access.requirePlatformAdmin(caller);
        return progress.status().stream().map(this::withReplayStarted).toList();
    }

    @GetMapping("/{name}")
    @Operation(summary = "One event processor's status (platform operator)")
    public ProjectionProgress.ProcessorStatus get(@Parameter(hidden = true) Caller caller, @PathVariable String name) {
        Access.requirePlatformAdmin(caller);
        return progress.status().stream().filter(s -> s.name().equals(name)).findFirst().map(this::withReplayStarted)
                .orElseThrow(() -> RuleViolation.notFound("PROCESSOR_NOT_FOUND", "No such event processor"));
    }

    private ProjectionProgress.ProcessorStatus withReplayStarted(ProjectionProgress.ProcessorStatus status) {
        return replays.inProgress(status.name()) ? status.replayStarted() : status;
    }

    @PostMapping("/{name}/replay")
    @ApiResponse(responseCode = "202", description = "Replay started; poll the processor for its progress")
    @Operation(summary = "Rebuild a read model from the event log (platform operator)",
            description = "202 with the processor's status; the rebuild runs in the background on this node, with "
                    + "replaying and replayProgress in GET until it ends. 409 REPLAY_IN_PROGRESS while a rebuild of a "
                    + "subscribing group runs, 409 REPLAY_UNSUPPORTED for a group without a read model.")
    public ResponseEntity<ProjectionProgress.ProcessorStatus> replay(@Parameter(hidden = true) Caller caller,
                                                                     @PathVariable String name) {
        Access.requirePlatformAdmin(caller);
        if (rebuilds.rebuilds(name)) {
            rebuilds.start(name);
            return ResponseEntity.accepted().body(get(caller, name));
        }
        StreamingEventProcessor processor = progress.processors().get(name);
        if (processor == null && progress.subscribing().containsKey(name)) {
            throw RuleViolation.conflict("REPLAY_UNSUPPORTED", "'" + name + "' handles events as they are stored and "
                    + "keeps no read model to rebuild from the event log (it only drops this node's cached entries)");
        }
        if (processor == null) {
            throw RuleViolation.notFound("PROCESSOR_NOT_FOUND", "No such event processor");
        }
        if (!processor.supportsReset()) {
            throw RuleViolation.conflict("REPLAY_UNSUPPORTED", "This processor cannot be replayed");
        }
        processor.shutDown();
        processor.resetTokens();
        processor.start();
        replays.started(name);
        return ResponseEntity.accepted().body(get(caller, name));
    }
}
