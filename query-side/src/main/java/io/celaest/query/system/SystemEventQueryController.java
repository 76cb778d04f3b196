package io.celaest.query.system;

import io.celaest.api.platform.Access;
import io.celaest.api.platform.Caller;
import io.celaest.api.platform.PageRequest;
import io.celaest.api.system.ListSystemEvents;
import io.celaest.api.system.SystemEventFilter;
import io.celaest.api.system.SystemEventPage;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.time.Instant;

/**
 * What happened to the platform itself (nodes, migrations, replays, dead letters, unhandled errors), for the
 * platform operator only: any organization's key answers 403. In event-log order; pass {@code nextCursor} back as
 * {@code cursor}.
 */
@RestController
@Validated
@RequestMapping("/api/v1")
@Tag(name = "Operations")
public class SystemEventQueryController {

    /** An event name such as NodeStarted or EventDeadLettered. */
    static final String TYPE = "[A-Z][A-Za-z]{0,63}";

    private final QueryGateway queries;

    public SystemEventQueryController(QueryGateway queries) {
        this.queries = queries;
    }

    @GetMapping("/system-events")
    @Operation(summary = "System events (node start/stop, migrations, replays, dead letters, unhandled errors), "
            + "filtered, in event-log order (platform operator, cursor pagination)")
    public SystemEventPage list(@Parameter(hidden = true) Caller caller,
                                @RequestParam(required = false) @Pattern(regexp = TYPE) String type,
                                @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant from,
                                @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant to,
                                @RequestParam(required = false) @Size(max = 200) String cursor,
                                @RequestParam(defaultValue = "50") @Min(1) @Max(200) int limit) {
        Access.requirePlatformAdmin(caller);
        return queries.query(new ListSystemEvents(caller, new SystemEventFilter(type, from, to),
                new PageRequest(cursor, limit)), ResponseTypes.instanceOf(SystemEventPage.class)).join();
    }
}
