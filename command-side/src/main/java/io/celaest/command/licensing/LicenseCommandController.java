package io.celaest.command.licensing;

import io.celaest.api.licensing.*;
import io.celaest.api.platform.Access;
import io.celaest.api.platform.Caller;
import io.celaest.api.platform.Scopes;
import io.celaest.api.platform.TimeOrderedIds;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.*;

import java.net.URI;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.UUID;

/** Write side of licensing: issue, lifecycle (platform operator), bindings and collisions, usage. */
@RestController
@Tag(name = "Licensing")
public class LicenseCommandController {

    static final String TYPE = "perpetual|subscription|trial";

    private final CommandGateway commands;
    private final LicenseOwnership ownership;
    private final LicenseDirectory directory;
    private final ErasureFollowUp erasureFollowUp;

    public LicenseCommandController(CommandGateway commands, LicenseOwnership ownership, LicenseDirectory directory,
                                    ErasureFollowUp erasureFollowUp) {
        this.commands = commands;
        this.ownership = ownership;
        this.directory = directory;
        this.erasureFollowUp = erasureFollowUp;
    }

    public record IssueLicenseRequest(
            @NotNull @Pattern(regexp = PlanCommandController.CODE) String plan,
            UUID productId,
            @NotNull @Pattern(regexp = TYPE) @Schema(allowableValues = {"perpetual", "subscription", "trial"}) String type,
            Instant expiresAt,
            @Valid LicensingRequests.LimitOverridesRequest customLimits) {
    }

    /** {@code key} is shown here only: CELAEST keeps its hash. */
    public record IssuedLicenseResponse(UUID id, String key, UUID organizationId, String plan, UUID productId,
                                        String type, String status, Instant expiresAt) {
    }

    @PostMapping("/api/v1/organizations/{organizationId}/licenses")
    @ApiResponse(responseCode = "201", description = "Issued; key is the license key, shown this once")
    @Operation(summary = "Issue a license to an organization (platform operator); the key is shown only in this answer")
    public ResponseEntity<IssuedLicenseResponse> issue(@Parameter(hidden = true) Caller caller,
                                                       @PathVariable UUID organizationId,
                                                       @Valid @RequestBody IssueLicenseRequest request) {
        Access.requireOrganization(caller, organizationId, Scopes.LICENSES_READ);
        Access.requirePlatformAdmin(caller);
        ownership.requireOrganizationExists(organizationId);
        UUID id = TimeOrderedIds.next();
        String key = LicenseKeys.generate();
        String canonical = LicenseKeys.canonical(key).orElseThrow();
        LicenseType type = LicenseType.fromCode(request.type());
        LimitOverrides custom = request.customLimits() == null ? LimitOverrides.NONE : request.customLimits().toOverrides();
        commands.sendAndWait(new IssueLicense(id, organizationId, LicenseKeys.hash(canonical),
                LicenseKeys.hint(canonical), request.plan(), request.productId(), type, request.expiresAt(), custom));
        return ResponseEntity.created(URI.create("/api/v1/licenses/" + id))
                .body(new IssuedLicenseResponse(id, key, organizationId, request.plan(), request.productId(),
                        type.code(), (type == LicenseType.TRIAL ? LicenseStatus.TRIAL : LicenseStatus.ACTIVE).code(),
                        request.expiresAt()));
    }

    public record ReasonRequest(@Size(max = 500) String reason) {
    }

    @PostMapping("/api/v1/licenses/{licenseId}/suspend")
    @Operation(summary = "Suspend a license (platform operator)")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void suspend(@Parameter(hidden = true) Caller caller, @PathVariable UUID licenseId,
                        @Valid @RequestBody(required = false) ReasonRequest request) {
        lifecycle(caller, licenseId, new SuspendLicense(licenseId, request == null ? null : request.reason()));
    }

    @PostMapping("/api/v1/licenses/{licenseId}/reinstate")
    @Operation(summary = "Reinstate a suspended license (platform operator)")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void reinstate(@Parameter(hidden = true) Caller caller, @PathVariable UUID licenseId) {
        lifecycle(caller, licenseId, new ReinstateLicense(licenseId));
    }

    public record RenewRequest(@NotNull Instant expiresAt) {
    }

    @PostMapping("/api/v1/licenses/{licenseId}/renew")
    @Operation(summary = "Renew or extend a subscription or trial to a later end (platform operator)")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void renew(@Parameter(hidden = true) Caller caller, @PathVariable UUID licenseId,
                      @Valid @RequestBody RenewRequest request) {
        lifecycle(caller, licenseId, new RenewLicense(licenseId, request.expiresAt()));
    }

    @PostMapping("/api/v1/licenses/{licenseId}/cancel")
    @Operation(summary = "Cancel a license for good (platform operator)")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void cancel(@Parameter(hidden = true) Caller caller, @PathVariable UUID licenseId,
                       @Valid @RequestBody(required = false) ReasonRequest request) {
        lifecycle(caller, licenseId, new CancelLicense(licenseId, request == null ? null : request.reason()));
    }

    public record ConvertRequest(Instant expiresAt) {
    }

    @PostMapping("/api/v1/licenses/{licenseId}/convert")
    @Operation(summary = "Convert a trial into a paid subscription (platform operator)")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void convert(@Parameter(hidden = true) Caller caller, @PathVariable UUID licenseId,
                        @Valid @RequestBody(required = false) ConvertRequest request) {
        lifecycle(caller, licenseId, new ConvertTrial(licenseId, request == null ? null : request.expiresAt()));
    }

    public record ChangeLicensePlanRequest(@NotNull @Pattern(regexp = PlanCommandController.CODE) String plan) {
    }

    @PostMapping("/api/v1/licenses/{licenseId}/plan")
    @Operation(summary = "Move a license to another plan (platform operator)")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void changePlan(@Parameter(hidden = true) Caller caller, @PathVariable UUID licenseId,
                           @Valid @RequestBody ChangeLicensePlanRequest request) {
        lifecycle(caller, licenseId, new ChangeLicensePlan(licenseId, request.plan()));
    }

    // --- bindings and collisions: the organization's admin ---

    @IpAddresses.IpWhenKindIsIp
    public record AddBindingRequest(
            @NotNull @Pattern(regexp = "ip|fingerprint") @Schema(allowableValues = {"ip", "fingerprint"}) String kind,
            @NotBlank @Size(max = 256) @Pattern(regexp = "[\\x21-\\x7E]+", message = "printable ASCII without spaces") String value) {
    }

    public record BindingResponse(UUID id, UUID licenseId, String kind, String value, boolean manual) {
    }

    @PostMapping("/api/v1/licenses/{licenseId}/bindings")
    @ApiResponse(responseCode = "201", description = "Bound")
    @Operation(summary = "Bind a device (IP or fingerprint) to a license, within its maxIpBindings")
    public ResponseEntity<BindingResponse> addBinding(@Parameter(hidden = true) Caller caller,
                                                      @PathVariable UUID licenseId,
                                                      @Valid @RequestBody AddBindingRequest request) {
        ownership.require(caller, licenseId, Scopes.LICENSES_WRITE);
        BindingKind kind = BindingKind.fromCode(request.kind());
        String value = kind == BindingKind.IP ? IpAddresses.canonical(request.value()).orElseThrow() : request.value();
        UUID bindingId = commands.sendAndWait(new BindLicense(licenseId, TimeOrderedIds.next(), kind, value, true));
        directory.invalidate(licenseId);
        return ResponseEntity.created(URI.create("/api/v1/licenses/" + licenseId + "/bindings/" + bindingId))
                .body(new BindingResponse(bindingId, licenseId, kind.code(), value, true));
    }

    @DeleteMapping("/api/v1/licenses/{licenseId}/bindings/{bindingId}")
    @Operation(summary = "Remove a binding, freeing its place")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void removeBinding(@Parameter(hidden = true) Caller caller, @PathVariable UUID licenseId,
                              @PathVariable UUID bindingId) {
        ownership.require(caller, licenseId, Scopes.LICENSES_WRITE);
        commands.sendAndWait(new RemoveBinding(licenseId, bindingId, false));
        directory.invalidate(licenseId);
    }

    public record ResolveRequest(@Size(max = 500) String note) {
    }

    @PostMapping("/api/v1/licenses/{licenseId}/collisions/{collisionId}/resolve")
    @Operation(summary = "Mark a collision as resolved (it no longer counts towards suspension)")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void resolveCollision(@Parameter(hidden = true) Caller caller, @PathVariable UUID licenseId,
                                 @PathVariable UUID collisionId, @Valid @RequestBody(required = false) ResolveRequest request) {
        ownership.require(caller, licenseId, Scopes.LICENSES_WRITE);
        commands.sendAndWait(new ResolveCollision(licenseId, collisionId, request == null ? null : request.note()));
    }

    // --- GDPR erasure: the operator, or the organization's admin ---

    @PostMapping("/api/v1/licenses/{licenseId}/erase")
    @Operation(summary = "Erase the license holder's device identifiers (GDPR): cancels the license if it is not "
            + "cancelled yet and destroys their key, so binding values, collision IPs and the IPs and fingerprints "
            + "of its validations read as erased everywhere; 409 when already erased")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void erase(@Parameter(hidden = true) Caller caller, @PathVariable UUID licenseId) {
        ownership.require(caller, licenseId, Scopes.LICENSES_WRITE);
        commands.sendAndWait(new EraseLicense(licenseId));
        directory.invalidate(licenseId);
        // validations are not a read model of the license's events: scrubbed here, and again by the deadline
        erasureFollowUp.scrubValidations(licenseId);
    }

    // --- usage ---

    public record UsageRequest(
            @NotNull @Pattern(regexp = "ai_requests|storage_gb") @Schema(allowableValues = {"ai_requests", "storage_gb"}) String metric,
            @NotNull @Min(1) @Max(1_000_000_000L) Long quantity) {
    }

    @PostMapping("/api/v1/licenses/{licenseId}/usage")
    @Operation(summary = "Record usage in this calendar month (UTC); 409 with the balance when it would exceed the limit")
    public UsageBalance recordUsage(@Parameter(hidden = true) Caller caller, @PathVariable UUID licenseId,
                                    @Valid @RequestBody UsageRequest request) {
        ownership.require(caller, licenseId, Scopes.USAGE_WRITE);
        String period = YearMonth.now(ZoneOffset.UTC).toString();
        return commands.sendAndWait(new RecordUsage(licenseId, UsageMetric.fromCode(request.metric()),
                request.quantity(), period));
    }

    private void lifecycle(Caller caller, UUID licenseId, Object command) {
        ownership.requirePlatformAdmin(caller, licenseId);
        commands.sendAndWait(command);
        directory.invalidate(licenseId);
    }
}
