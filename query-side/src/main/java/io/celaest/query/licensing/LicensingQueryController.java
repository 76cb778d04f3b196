package io.celaest.query.licensing;

import io.celaest.api.identity.FindOrganization;
import io.celaest.api.identity.OrganizationView;
import io.celaest.api.licensing.*;
import io.celaest.api.platform.Access;
import io.celaest.api.platform.Caller;
import io.celaest.api.platform.PageRequest;
import io.celaest.api.platform.RuleViolation;
import io.celaest.api.platform.Scopes;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Read side of licensing: the Licensing Hub's lists, usage, and offline certificates. */
@RestController
@Validated
@Tag(name = "Licensing")
public class LicensingQueryController {

    private final QueryGateway queries;
    private final LicenseCertificates certificates;

    public LicensingQueryController(QueryGateway queries, LicenseCertificates certificates) {
        this.queries = queries;
        this.certificates = certificates;
    }

    @GetMapping("/api/v1/plans")
    @Operation(summary = "The plan catalogue (any authenticated caller)")
    public List<PlanView> plans(@Parameter(hidden = true) Caller caller) {
        return queries.query(new ListPlans(caller), ResponseTypes.multipleInstancesOf(PlanView.class)).join();
    }

    @GetMapping("/api/v1/organizations/{organizationId}/licenses")
    @Operation(summary = "An organization's licenses, filtered by status, plan and expiry")
    public LicensePage list(@Parameter(hidden = true) Caller caller, @PathVariable UUID organizationId,
                                  @RequestParam(required = false) @Pattern(regexp = "trial|active|suspended|expired|cancelled") String status,
                                  @RequestParam(required = false) @Size(max = 64) String plan,
                                  @RequestParam(required = false) Instant expiringBefore,
                                  @RequestParam(required = false) @Size(max = 200) String cursor,
                                  @RequestParam(defaultValue = "50") @Min(1) @Max(200) int limit) {
        Access.requireOrganization(caller, organizationId, Scopes.LICENSES_READ);
        requireOrganizationExists(caller, organizationId);
        return queries.query(new ListLicenses(caller, organizationId,
                        status == null ? null : LicenseStatus.fromCode(status), plan, expiringBefore,
                        new PageRequest(cursor, limit)), ResponseTypes.instanceOf(LicensePage.class))
                .join();
    }

    /** An unknown or deleted organization's licenses answer 404 like the organization itself. */
    private void requireOrganizationExists(Caller caller, UUID organizationId) {
        if (queries.query(new FindOrganization(caller, organizationId),
                ResponseTypes.optionalInstanceOf(OrganizationView.class)).join().isEmpty()) {
            throw RuleViolation.notFound("ORGANIZATION_NOT_FOUND", "No such organization");
        }
    }

    @GetMapping("/api/v1/licenses/{licenseId}")
    @Operation(summary = "A license with its effective limits (never its key)")
    public LicenseView get(@Parameter(hidden = true) Caller caller, @PathVariable UUID licenseId) {
        requireRead(caller);
        return find(caller, licenseId);
    }

    @GetMapping("/api/v1/licenses/{licenseId}/bindings")
    @Operation(summary = "The devices (IPs, fingerprints) bound to a license")
    public List<BindingView> bindings(@Parameter(hidden = true) Caller caller, @PathVariable UUID licenseId) {
        requireRead(caller);
        find(caller, licenseId);
        return queries.query(new ListBindings(caller, licenseId), ResponseTypes.multipleInstancesOf(BindingView.class))
                .join();
    }

    @GetMapping("/api/v1/licenses/{licenseId}/collisions")
    @Operation(summary = "Collisions: one license used from more IPs at once than it allows")
    public CollisionPage collisions(@Parameter(hidden = true) Caller caller, @PathVariable UUID licenseId,
                                          @RequestParam(required = false) @Size(max = 200) String cursor,
                                          @RequestParam(defaultValue = "50") @Min(1) @Max(200) int limit) {
        requireRead(caller);
        find(caller, licenseId);
        return queries.query(new ListCollisions(caller, licenseId, new PageRequest(cursor, limit)),
                ResponseTypes.instanceOf(CollisionPage.class)).join();
    }

    @GetMapping("/api/v1/licenses/{licenseId}/validations")
    @Operation(summary = "Every validation of a license, newest first")
    public ValidationPage validations(@Parameter(hidden = true) Caller caller, @PathVariable UUID licenseId,
                                            @RequestParam(required = false) @Size(max = 200) String cursor,
                                            @RequestParam(defaultValue = "50") @Min(1) @Max(200) int limit) {
        requireRead(caller);
        find(caller, licenseId);
        return queries.query(new ListValidations(caller, licenseId, new PageRequest(cursor, limit)),
                ResponseTypes.instanceOf(ValidationPage.class)).join();
    }

    @GetMapping("/api/v1/licenses/{licenseId}/usage")
    @Operation(summary = "Usage per metric in a calendar month (UTC), default the current one")
    public UsageView usage(@Parameter(hidden = true) Caller caller, @PathVariable UUID licenseId,
                           @RequestParam(required = false) @Pattern(regexp = "\\d{4}-(0[1-9]|1[0-2])", message = "YYYY-MM") String period) {
        requireRead(caller);
        String month = period != null ? period : YearMonth.now(ZoneOffset.UTC).toString();
        Optional<UsageView> found = queries.query(new FindUsage(caller, licenseId, month),
                ResponseTypes.optionalInstanceOf(UsageView.class)).join();
        return found.orElseThrow(LicensingQueryController::notFound);
    }

    @GetMapping("/api/v1/licenses/{licenseId}/certificate")
    @Operation(summary = "An offline license file signed with Ed25519 (verify with /api/v1/licensing/public-key)")
    public LicenseCertificates.LicenseFile certificate(@Parameter(hidden = true) Caller caller,
                                                       @PathVariable UUID licenseId) {
        requireRead(caller);
        LicenseView license = find(caller, licenseId);
        // an offline file lets a device run without asking for days: only a license in force gets one (the view's
        // status is already "expired" from the instant expiresAt passes)
        if (!LicenseStatus.fromCode(license.status()).isLive()) {
            throw new RuleViolation(RuleViolation.Kind.CONFLICT, "LICENSE_NOT_IN_FORCE",
                    "Only an active or trial license gets an offline certificate; the license is " + license.status(),
                    Map.of("licenseStatus", license.status()));
        }
        List<BindingView> bindings = queries.query(new ListBindings(caller, licenseId),
                ResponseTypes.multipleInstancesOf(BindingView.class)).join();
        return certificates.issue(license, bindings);
    }

    @GetMapping("/api/v1/licensing/public-key")
    @Operation(summary = "The Ed25519 public key that verifies offline license files")
    public LicenseCertificates.PublicKeyView publicKey() {
        return certificates.publicKey();
    }

    private LicenseView find(Caller caller, UUID licenseId) {
        Optional<LicenseView> found = queries.query(new FindLicense(caller, licenseId),
                ResponseTypes.optionalInstanceOf(LicenseView.class)).join();
        return found.orElseThrow(LicensingQueryController::notFound);
    }

    /** Row-level security already hides other tenants' licenses (404); the scope decides 403. */
    private static void requireRead(Caller caller) {
        if (!caller.hasScope(Scopes.LICENSES_READ)) {
            throw new io.celaest.api.platform.Forbidden("This action needs the scope '" + Scopes.LICENSES_READ + "'");
        }
    }

    private static RuleViolation notFound() {
        return RuleViolation.notFound("LICENSE_NOT_FOUND", "No such license");
    }
}
