package io.celaest.command.licensing;

import io.celaest.api.licensing.BillingCycle;
import io.celaest.api.licensing.CreatePlan;
import io.celaest.api.licensing.PlanLimitsView;
import io.celaest.api.licensing.UpdatePlan;
import io.celaest.api.platform.Access;
import io.celaest.api.platform.Caller;
import io.celaest.api.platform.RuleViolation;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.*;

import java.math.BigDecimal;
import java.net.URI;

/** The plan catalogue (seed document §2, {@code subscription_plans}): the platform operator's to change. */
@RestController
@RequestMapping("/api/v1/plans")
@Tag(name = "Licensing")
public class PlanCommandController {

    static final String CODE = "^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$";
    static final String CYCLE = "monthly|yearly|one-time";
    static final String PRICE = "^\\d{1,12}(\\.\\d{1,2})?$";

    private final CommandGateway commands;
    private final PlanCatalog catalog;
    private final LicenseDirectory directory;

    public PlanCommandController(CommandGateway commands, PlanCatalog catalog, LicenseDirectory directory) {
        this.commands = commands;
        this.catalog = catalog;
        this.directory = directory;
    }

    public record CreatePlanRequest(
            @NotNull @Pattern(regexp = CODE, message = "lowercase letters, digits and inner hyphens") String code,
            @NotBlank @Size(max = 200) String name,
            @NotNull @Pattern(regexp = CYCLE) @Schema(allowableValues = {"monthly", "yearly", "one-time"}) String billingCycle,
            @NotNull @Pattern(regexp = PRICE, message = "a decimal string with at most 2 decimals, e.g. \"29.00\"") String price,
            @NotNull @Iso4217 String currency,
            @NotNull @Valid LicensingRequests.LimitsRequest limits) {
    }

    public record PlanResponse(String code, String name, String billingCycle, String price, String currency,
                               PlanLimitsView limits) {
    }

    @PostMapping
    @ApiResponse(responseCode = "201", description = "Created")
    @Operation(summary = "Create a plan (platform operator)")
    public ResponseEntity<PlanResponse> create(@Parameter(hidden = true) Caller caller,
                                               @Valid @RequestBody CreatePlanRequest request) {
        Access.requirePlatformAdmin(caller);
        if (catalog.exists(request.code())) {
            throw RuleViolation.conflict("PLAN_EXISTS", "A plan with code '" + request.code() + "' exists");
        }
        CreatePlan command = new CreatePlan(request.code(), request.name(), BillingCycle.fromCode(request.billingCycle()),
                new BigDecimal(request.price()).setScale(2), request.currency(), request.limits().toLimits());
        commands.sendAndWait(command);
        return ResponseEntity.created(URI.create("/api/v1/plans/" + request.code()))
                .body(new PlanResponse(command.code(), command.name(), command.billingCycle().code(),
                        command.price().toPlainString(), command.currency(), PlanLimitsView.of(command.limits())));
    }

    public record UpdatePlanRequest(
            @Size(min = 1, max = 200) @Pattern(regexp = ".*\\S.*", message = "must not be blank") String name,
            @Pattern(regexp = CYCLE) String billingCycle,
            @Pattern(regexp = PRICE, message = "a decimal string with at most 2 decimals, e.g. \"29.00\"") String price,
            @Iso4217 String currency,
            @Valid LicensingRequests.LimitOverridesRequest limits) {
    }

    @PatchMapping("/{code}")
    @Operation(summary = "Change a plan (platform operator); limits are merged field by field and apply to its licenses")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void update(@Parameter(hidden = true) Caller caller, @PathVariable String code,
                       @Valid @RequestBody UpdatePlanRequest request) {
        Access.requirePlatformAdmin(caller);
        if (!catalog.exists(code)) {
            throw RuleViolation.notFound("PLAN_NOT_FOUND", "No plan with code '" + code + "'");
        }
        if (request.name() == null && request.billingCycle() == null && request.price() == null
                && request.currency() == null && request.limits() == null) {
            throw RuleViolation.unprocessable("NOTHING_TO_UPDATE", "Give a name, billing cycle, price, currency or "
                    + "limits to change");
        }
        try {
            commands.sendAndWait(new UpdatePlan(code, request.name(),
                    request.billingCycle() == null ? null : BillingCycle.fromCode(request.billingCycle()),
                    request.price() == null ? null : new BigDecimal(request.price()).setScale(2), request.currency(),
                    request.limits() == null ? null : request.limits().toOverrides()));
        } catch (IllegalArgumentException invalid) {
            throw RuleViolation.unprocessable("INVALID_LIMITS", invalid.getMessage());
        }
        // committed: this node's validations answer with the new limits from now on (other nodes within a poll)
        directory.dropAll();
    }
}
