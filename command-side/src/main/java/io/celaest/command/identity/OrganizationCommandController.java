package io.celaest.command.identity;

import io.celaest.api.identity.*;
import io.celaest.api.platform.Access;
import io.celaest.api.platform.Caller;
import io.celaest.api.platform.Forbidden;
import io.celaest.api.platform.RuleViolation;
import io.celaest.api.platform.Scopes;
import io.celaest.api.platform.TimeOrderedIds;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Future;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Write side of the Identity context: organizations, their users and their API keys. */
@RestController
@RequestMapping("/api/v1/organizations")
@Tag(name = "Identity")
public class OrganizationCommandController {

    static final String SLUG = "^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$";
    static final String PLAN = "starter|professional|enterprise";
    static final String ROLE = "owner|admin|member|viewer|auditor";

    private final CommandGateway commands;
    private final ApiKeySecrets secrets;

    public OrganizationCommandController(CommandGateway commands, ApiKeySecrets secrets) {
        this.commands = commands;
        this.secrets = secrets;
    }

    public record CreateOrganizationRequest(
            @NotBlank @Size(max = 200) String name,
            @NotNull @Pattern(regexp = SLUG, message = "lowercase letters, digits and inner hyphens, 1-63 characters") String slug,
            @NotNull @Pattern(regexp = PLAN) @Schema(allowableValues = {"starter", "professional", "enterprise"}) String plan,
            @Min(-1) Integer maxUsers,
            @Min(-1) Long maxApiCallsPerMonth) {
    }

    public record OrganizationCreatedResponse(UUID id, String name, String slug, String plan, String status,
                                              int maxUsers, long maxApiCallsPerMonth) {
    }

    @PostMapping
    @ApiResponse(responseCode = "201", description = "Created")
    @Operation(summary = "Create an organization (platform operator)")
    public ResponseEntity<OrganizationCreatedResponse> create(@Parameter(hidden = true) Caller caller,
                                                              @Valid @RequestBody CreateOrganizationRequest request) {
        Access.requirePlatformAdmin(caller);
        UUID id = TimeOrderedIds.next();
        Plan plan = Plan.fromCode(request.plan());
        commands.sendAndWait(new CreateOrganization(id, request.name(), request.slug(), plan, request.maxUsers(),
                request.maxApiCallsPerMonth()));
        return ResponseEntity.created(URI.create("/api/v1/organizations/" + id))
                .body(new OrganizationCreatedResponse(id, request.name(), request.slug(), plan.code(), "active",
                        Organization.effectiveMaxUsers(plan, request.maxUsers()),
                        Organization.effectiveMaxApiCalls(plan, request.maxApiCallsPerMonth())));
    }

    public record UpdateOrganizationRequest(@Size(min = 1, max = 200) @Pattern(regexp = ".*\\S.*", message = "must not be blank") String name,
                                            Map<String, Object> settings) {
    }

    @PatchMapping("/{organizationId}")
    @Operation(summary = "Rename an organization or replace its settings (branding, …)")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void update(@Parameter(hidden = true) Caller caller, @PathVariable UUID organizationId,
                       @Valid @RequestBody UpdateOrganizationRequest request) {
        Access.requireOrganization(caller, organizationId, Scopes.ORGANIZATION_WRITE);
        if (request.name() == null && request.settings() == null) {
            // answering 204 would claim a change to an organization that may not even exist
            throw RuleViolation.unprocessable("NOTHING_TO_UPDATE", "Give a name or settings to change");
        }
        if (request.name() != null) {
            ignoringUnchanged(() -> commands.sendAndWait(new RenameOrganization(organizationId, request.name())));
        }
        if (request.settings() != null) {
            ignoringUnchanged(() -> commands.sendAndWait(new UpdateOrganizationSettings(organizationId,
                    request.settings())));
        }
    }

    public record ChangePlanRequest(@NotNull @Pattern(regexp = PLAN) String plan) {
    }

    @PostMapping("/{organizationId}/plan")
    @Operation(summary = "Move an organization to another plan (platform operator)")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void changePlan(@Parameter(hidden = true) Caller caller, @PathVariable UUID organizationId,
                           @Valid @RequestBody ChangePlanRequest request) {
        requireAdminOn(caller, organizationId);
        commands.sendAndWait(new ChangeOrganizationPlan(organizationId, Plan.fromCode(request.plan())));
    }

    public record OverrideLimitsRequest(@Min(-1) Integer maxUsers, @Min(-1) Long maxApiCallsPerMonth) {
    }

    @PostMapping("/{organizationId}/limits")
    @Operation(summary = "Override the plan's limits for one organization; null returns a limit to the plan's")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void overrideLimits(@Parameter(hidden = true) Caller caller, @PathVariable UUID organizationId,
                               @Valid @RequestBody OverrideLimitsRequest request) {
        requireAdminOn(caller, organizationId);
        commands.sendAndWait(new OverrideOrganizationLimits(organizationId, request.maxUsers(),
                request.maxApiCallsPerMonth()));
    }

    @PostMapping("/{organizationId}/onboarding/complete")
    @Operation(summary = "Mark the organization's onboarding as completed")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void completeOnboarding(@Parameter(hidden = true) Caller caller, @PathVariable UUID organizationId) {
        Access.requireOrganization(caller, organizationId, Scopes.ORGANIZATION_WRITE);
        commands.sendAndWait(new CompleteOrganizationOnboarding(organizationId));
    }

    public record SuspendRequest(@Size(max = 500) String reason) {
    }

    @PostMapping("/{organizationId}/suspend")
    @Operation(summary = "Suspend an organization (platform operator)")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void suspend(@Parameter(hidden = true) Caller caller, @PathVariable UUID organizationId,
                        @Valid @RequestBody(required = false) SuspendRequest request) {
        requireAdminOn(caller, organizationId);
        commands.sendAndWait(new SuspendOrganization(organizationId, request == null ? null : request.reason()));
    }

    @PostMapping("/{organizationId}/reactivate")
    @Operation(summary = "Reactivate a suspended organization (platform operator)")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void reactivate(@Parameter(hidden = true) Caller caller, @PathVariable UUID organizationId) {
        requireAdminOn(caller, organizationId);
        commands.sendAndWait(new ReactivateOrganization(organizationId));
    }

    @DeleteMapping("/{organizationId}")
    @Operation(summary = "Soft-delete an organization (platform operator); its API keys stop working")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void delete(@Parameter(hidden = true) Caller caller, @PathVariable UUID organizationId) {
        requireAdminOn(caller, organizationId);
        commands.sendAndWait(new DeleteOrganization(organizationId));
    }

    // --- users ---

    public record AddUserRequest(
            @NotBlank @Size(max = 320) @jakarta.validation.constraints.Email String email,
            @NotBlank @Size(max = 200) String name,
            @NotNull @Pattern(regexp = ROLE) @Schema(allowableValues = {"owner", "admin", "member", "viewer", "auditor"}) String role,
            @Size(max = 50) List<@NotBlank @Size(max = 64) String> scopes) {
    }

    public record UserResponse(UUID id, UUID organizationId, String email, String name, String role,
                               Set<String> scopes, boolean active) {
    }

    @PostMapping("/{organizationId}/users")
    @ApiResponse(responseCode = "201", description = "Created")
    @Operation(summary = "Add a user; holds max_users and email uniqueness exactly under concurrency")
    public ResponseEntity<UserResponse> addUser(@Parameter(hidden = true) Caller caller,
                                                @PathVariable UUID organizationId,
                                                @Valid @RequestBody AddUserRequest request) {
        Access.requireOrganization(caller, organizationId, Scopes.USERS_WRITE);
        UUID userId = TimeOrderedIds.next();
        Set<String> scopes = request.scopes() == null ? Set.of() : Set.copyOf(request.scopes());
        UserRole role = UserRole.fromCode(request.role());
        requireCanGrantRole(caller, role);
        commands.sendAndWait(new AddUser(organizationId, userId, request.email().trim(), request.name(), role, scopes));
        return ResponseEntity.created(URI.create("/api/v1/organizations/" + organizationId + "/users/" + userId))
                .body(new UserResponse(userId, organizationId, request.email().trim(), request.name(), role.code(),
                        scopes, true));
    }

    public record UpdateUserRequest(@Size(min = 1, max = 200) @Pattern(regexp = ".*\\S.*", message = "must not be blank") String name,
                                    @Pattern(regexp = ROLE) String role,
                                    @Size(max = 50) List<@NotBlank @Size(max = 64) String> scopes) {
    }

    @PatchMapping("/{organizationId}/users/{userId}")
    @Operation(summary = "Change a user's name, role or scopes; an owner only with full access")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void updateUser(@Parameter(hidden = true) Caller caller, @PathVariable UUID organizationId,
                           @PathVariable UUID userId, @Valid @RequestBody UpdateUserRequest request) {
        Access.requireOrganization(caller, organizationId, Scopes.USERS_WRITE);
        UserRole role = request.role() == null ? null : UserRole.fromCode(request.role());
        if (role != null) {
            requireCanGrantRole(caller, role);
        }
        ignoringUnchanged(() -> commands.sendAndWait(new UpdateUser(organizationId, userId, request.name(), role,
                request.scopes() == null ? null : Set.copyOf(request.scopes()), caller.scopes())));
    }

    @DeleteMapping("/{organizationId}/users/{userId}")
    @Operation(summary = "Deactivate a user (frees a seat); an owner only with full access")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void deactivateUser(@Parameter(hidden = true) Caller caller, @PathVariable UUID organizationId,
                               @PathVariable UUID userId) {
        Access.requireOrganization(caller, organizationId, Scopes.USERS_WRITE);
        commands.sendAndWait(new DeactivateUser(organizationId, userId, caller.scopes()));
    }

    @PostMapping("/{organizationId}/users/{userId}/erase")
    @Operation(summary = "Erase a user's personal data (GDPR): destroys their key, so every copy of it reads as erased; an active "
            + "owner only with full access")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void eraseUser(@Parameter(hidden = true) Caller caller, @PathVariable UUID organizationId,
                          @PathVariable UUID userId) {
        Access.requireOrganization(caller, organizationId, Scopes.USERS_WRITE);
        commands.sendAndWait(new EraseUser(organizationId, userId, caller.scopes()));
    }

    // --- API keys ---

    public record CreateApiKeyRequest(
            @NotBlank @Size(max = 200) String name,
            @NotNull @Size(min = 1, max = 20) List<@NotBlank @Size(max = 64) String> scopes,
            @Future Instant expiresAt) {
    }

    public record ApiKeyCreatedResponse(UUID id, UUID organizationId, String name, String key, String prefix,
                                        Set<String> scopes, Instant expiresAt) {
    }

    @PostMapping("/{organizationId}/api-keys")
    @ApiResponse(responseCode = "201", description = "Created; key is the secret, shown this once")
    @Operation(summary = "Create an API key; the response is the only time its secret is shown")
    public ResponseEntity<ApiKeyCreatedResponse> createApiKey(@Parameter(hidden = true) Caller caller,
                                                              @PathVariable UUID organizationId,
                                                              @Valid @RequestBody CreateApiKeyRequest request) {
        Access.requireOrganization(caller, organizationId, Scopes.API_KEYS_WRITE);
        Set<String> scopes = new HashSet<>(request.scopes());
        Set<String> unknown = new HashSet<>(scopes);
        unknown.removeAll(Scopes.KNOWN);
        if (!unknown.isEmpty()) {
            throw RuleViolation.unprocessable("UNKNOWN_SCOPE", "Unknown scopes: " + unknown + "; known: "
                    + Scopes.KNOWN);
        }
        if (!caller.grantsAll(scopes)) {
            throw new Forbidden("An API key cannot be given scopes its creator does not have");
        }
        UUID keyId = TimeOrderedIds.next();
        ApiKeySecrets.NewKey key = secrets.generate();
        commands.sendAndWait(new CreateApiKey(organizationId, keyId, request.name(), Set.copyOf(scopes),
                request.expiresAt(), key.prefix(), key.hash()));
        return ResponseEntity.created(URI.create("/api/v1/organizations/" + organizationId + "/api-keys/" + keyId))
                .body(new ApiKeyCreatedResponse(keyId, organizationId, request.name(), key.secret(), key.prefix(),
                        scopes, request.expiresAt()));
    }

    @DeleteMapping("/{organizationId}/api-keys/{keyId}")
    @Operation(summary = "Revoke an API key; it stops working at once. Only a caller holding all of the key's scopes may")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void revokeApiKey(@Parameter(hidden = true) Caller caller, @PathVariable UUID organizationId,
                             @PathVariable UUID keyId) {
        Access.requireOrganization(caller, organizationId, Scopes.API_KEYS_WRITE);
        commands.sendAndWait(new RevokeApiKey(organizationId, keyId, caller.scopes()));
    }

    @PostMapping("/{organizationId}/api-keys/{keyId}/erase")
    @Operation(summary = "Erase the client IPs of an API key's requests (GDPR): destroys their key, so every copy "
            + "reads as erased; an active key is revoked too, which takes a caller holding all of its scopes")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void eraseApiKey(@Parameter(hidden = true) Caller caller, @PathVariable UUID organizationId,
                            @PathVariable UUID keyId) {
        Access.requireOrganization(caller, organizationId, Scopes.API_KEYS_WRITE);
        commands.sendAndWait(new EraseApiKey(organizationId, keyId, caller.scopes()));
    }

    // --- helpers ---

    private static void requireAdminOn(Caller caller, UUID organizationId) {
        if (!caller.canSee(organizationId)) {
            throw RuleViolation.notFound("ORGANIZATION_NOT_FOUND", "No such organization");
        }
        Access.requirePlatformAdmin(caller);
    }

    /** Only a full-access caller (platform operator or a key with every scope) may make owners. */
    private static void requireCanGrantRole(Caller caller, UserRole role) {
        if (role == UserRole.OWNER && !caller.hasScope(io.celaest.api.platform.Caller.ALL_SCOPES)) {
            throw new Forbidden("Only a caller with full access may make owners");
        }
    }

    /** PATCH is declarative: asking for the value that is already there succeeds without an event. */
    private static void ignoringUnchanged(Runnable command) {
        try {
            command.run();
        } catch (RuleViolation e) {
            if (!"UNCHANGED".equals(e.code())) {
                throw e;
            }
        }
    }
}
