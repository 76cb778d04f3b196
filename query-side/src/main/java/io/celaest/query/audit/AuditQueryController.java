package io.celaest.query.audit;

import io.celaest.api.audit.*;
import io.celaest.api.platform.Caller;
import io.celaest.api.platform.Forbidden;
import io.celaest.api.platform.RuleViolation;
import io.celaest.api.platform.Scopes;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpHeaders;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.UUID;

/**
 * Auditor endpoints, read-only. Who may read: the platform operator (every organization) or a key with the
 * scope {@code audit:read} (its own organization only, enforced by row-level security underneath). Naming another
 * organization in {@code organizationId} answers 404, like every foreign id. The list is in event-log order
 * (ascending global index); pass {@code nextCursor} back as {@code cursor}.
 */
@RestController
@Validated
@RequestMapping("/api/v1")
@Tag(name = "Audit")
public class AuditQueryController {

    static final String ACTION = "[a-z_]{1,32}";
    static final String OUTCOME = "success|failure";

    private static final Logger log = LoggerFactory.getLogger(AuditQueryController.class);

    private final QueryGateway queries;
    private final AuditLogExport export;

    public AuditQueryController(QueryGateway queries, AuditLogExport export) {
        this.queries = queries;
        this.export = export;
    }

    @GetMapping("/audit-logs/export")
    @Operation(summary = "Export audit log entries as CSV or JSON Lines, any range, streamed")
    @ApiResponse(responseCode = "200", description = "The entries, oldest first, as an attachment", content = {
            @Content(mediaType = "text/csv"), @Content(mediaType = "application/x-ndjson")})
    public void export(@Parameter(hidden = true) Caller caller,
                       @RequestParam(defaultValue = "jsonl") @Pattern(regexp = "csv|jsonl")
                       @Parameter(schema = @Schema(allowableValues = {"csv", "jsonl"})) String format,
                       @RequestParam(required = false) UUID organizationId,
                       @RequestParam(required = false) @Size(max = 255) String actorId,
                       @RequestParam(required = false) @Size(max = 64) String resourceType,
                       @RequestParam(required = false) @Size(max = 255) String resourceId,
                       @RequestParam(required = false) @Pattern(regexp = ACTION) String action,
                       @RequestParam(required = false) @Pattern(regexp = OUTCOME) String outcome,
                       @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant from,
                       @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant to,
                       HttpServletResponse response) throws IOException {
        AuditLogFilter filter = authorize(caller, new AuditLogFilter(organizationId, actorId, resourceType,
                resourceId, action, outcome, from, to));
        AuditLogExport.Format chosen = "csv".equals(format) ? AuditLogExport.Format.CSV : AuditLogExport.Format.JSONL;
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(chosen.contentType);
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION,
                "attachment; filename=\"audit-logs-" + Instant.now().getEpochSecond() + "." + chosen.extension + "\"");
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        // Written straight to the response from a server-side cursor (no async hand-off whose timeout would cut
        // a long export): constant memory whatever the range.
        try {
            export.write(caller, filter, chosen, response.getOutputStream());
            response.flushBuffer();
        } catch (UncheckedIOException e) {
            // the client went away mid-stream: nothing to answer, the transaction is already rolled back
            log.debug("Audit export aborted by the client: {}", e.getMessage());
        }
    }

    @GetMapping("/audit/aggregates/{type}/{id}/events")
    @Operation(summary = "The stored event stream of one aggregate (type: organization, license or plan), with payloads and metadata")
    public AggregateEvents events(@Parameter(hidden = true) Caller caller, @PathVariable @Pattern(regexp = "[a-z_]{1,64}") String type,
                                  @PathVariable @Size(max = 255) String id,
                                  @RequestParam(defaultValue = "-1") @Min(-1) long afterSequence,
                                  @RequestParam(defaultValue = "1000") @Min(1) @Max(5000) int limit) {
        requireAuditor(caller);
        return queries.query(new FindAggregateEvents(caller, type, id, afterSequence, limit),
                        ResponseTypes.optionalInstanceOf(AggregateEvents.class)).join()
                .orElseThrow(AuditQueryController::aggregateNotFound);
    }

    @GetMapping("/audit/aggregates/{type}/{id}/state")
    @Operation(summary = "One aggregate's state as of an instant, rebuilt by replaying its events up to it")
    public AggregateState state(@Parameter(hidden = true) Caller caller, @PathVariable @Pattern(regexp = "[a-z_]{1,64}") String type,
                                @PathVariable @Size(max = 255) String id,
                                @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant at) {
        requireAuditor(caller);
        return queries.query(new FindAggregateState(caller, type, id, at == null ? Instant.now() : at),
                        ResponseTypes.optionalInstanceOf(AggregateState.class)).join()
                .orElseThrow(AuditQueryController::aggregateNotFound);
    }

    /** The filter as the caller may run it: a tenant is confined to its organization; a foreign one is 404. */
    static AuditLogFilter authorize(Caller caller, AuditLogFilter filter) {
        requireAuditor(caller);
        if (filter.organizationId() != null && !caller.canSee(filter.organizationId())) {
            throw RuleViolation.notFound("ORGANIZATION_NOT_FOUND", "No such organization");
        }
        return filter;
    }

    static void requireAuditor(Caller caller) {
        if (caller.isPlatformAdmin()) {
            return;
        }
        if (!caller.hasScope(Scopes.AUDIT_READ)) {
            throw new Forbidden("This needs the scope '" + Scopes.AUDIT_READ + "'");
        }
    }

    private static RuleViolation aggregateNotFound() {
        return RuleViolation.notFound("AGGREGATE_NOT_FOUND", "No such aggregate, or it did not exist yet at that time");
    }
}
