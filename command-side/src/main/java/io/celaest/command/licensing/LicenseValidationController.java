package io.celaest.command.licensing;

import io.celaest.api.licensing.LicenseStatus;
import io.celaest.api.licensing.PlanLimitsView;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirements;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import java.time.Instant;
import java.util.UUID;

/**
 * {@code POST /api/v1/licenses/validate}: the key is the credential, no bearer token. Any well-formed request gets
 * 200 with {@code valid} and a code; the client's IP is the connection's (X-Forwarded-For counts only from the
 * proxies in {@code CELAEST_TRUSTED_PROXIES}).
 */
@RestController
@Tag(name = "Licensing")
public class LicenseValidationController {

    private final LicenseValidator validator;

    public LicenseValidationController(LicenseValidator validator) {
        this.validator = validator;
    }

    public record ValidateRequest(
            @NotNull @Size(max = 100) String key,
            @Size(min = 1, max = 256) @Pattern(regexp = "[\\x21-\\x7E]+", message = "printable ASCII without spaces") String fingerprint,
            UUID productId) {
    }

    public record LicenseSummary(UUID id, String status, Instant expiresAt, String plan, PlanLimitsView limits) {
    }

    public record ValidationResponse(boolean valid, String code, String detail, LicenseSummary license) {
    }

    @PostMapping("/api/v1/licenses/validate")
    @SecurityRequirements
    @Operation(summary = "Validate a license key (no bearer token; rate limited per key and per IP)")
    public ValidationResponse validate(@Valid @RequestBody ValidateRequest request, HttpServletRequest http) {
        LicenseValidator.Outcome outcome = validator.validate(request.key(), request.fingerprint(),
                request.productId(), http.getRemoteAddr());
        LicenseRuntime license = outcome.license();
        LicenseSummary summary = license == null ? null : new LicenseSummary(license.id(),
                outcome.code() == ValidationCode.EXPIRED ? LicenseStatus.EXPIRED.code() : license.status().code(),
                license.expiresAt(), license.planCode(), PlanLimitsView.of(license.limits()));
        return new ValidationResponse(outcome.valid(), outcome.code().name(), outcome.code().detail, summary);
    }
}
