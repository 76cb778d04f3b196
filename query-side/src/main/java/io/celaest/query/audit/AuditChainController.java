package io.celaest.query.audit;

import io.celaest.api.platform.Access;
import io.celaest.api.platform.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpStatus;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Tamper evidence of the event log, for the platform operator and its auditors: the signed checkpoints of the
 * hash chain (with the public key, to keep copies and verify offline) and an on-demand verification of the
 * chain against the stored events. Platform-wide, so platform admin only.
 */
@RestController
@Validated
@RequestMapping("/api/v1/audit")
@Tag(name = "Audit")
@ConditionalOnProperty(name = "axon.axonserver.enabled", havingValue = "false", matchIfMissing = true)
public class AuditChainController {

    private final CheckpointService checkpoints;
    private final ChainVerification verification;

    public AuditChainController(CheckpointService checkpoints, ChainVerification verification) {
        this.checkpoints = checkpoints;
        this.verification = verification;
    }

    @GetMapping("/checkpoints")
    @Operation(summary = "List the signed checkpoints of the event chain, oldest first, with the public key")
    public CheckpointPage list(@Parameter(hidden = true) Caller caller,
                               @RequestParam(required = false) @Size(max = 200) String cursor,
                               @RequestParam(defaultValue = "50") @Min(1) @Max(500) int limit) {
        Access.requirePlatformAdmin(caller);
        return checkpoints.list(cursor, limit);
    }

    @PostMapping("/checkpoints")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Sign a checkpoint of the event chain's current head now")
    public CheckpointView create(@Parameter(hidden = true) Caller caller) {
        Access.requirePlatformAdmin(caller);
        return CheckpointView.of(checkpoints.checkpointNow());
    }

    @GetMapping("/verify")
    @Operation(summary = "Recompute the event chain from the stored events and check it and the signed checkpoints")
    public ChainVerificationResult verify(@Parameter(hidden = true) Caller caller,
                                          @RequestParam(required = false) @Min(0) Long from,
                                          @RequestParam(required = false) @Min(0) Long to) {
        Access.requirePlatformAdmin(caller);
        return verification.verify(from, to);
    }
}
