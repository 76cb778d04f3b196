package io.celaest.query.identity;

import io.celaest.api.identity.*;
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
import jakarta.validation.constraints.Size;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.Optional;
import java.util.UUID;

/** Read side of the Identity context. Lists are cursor-paginated: pass {@code nextCursor} back as {@code cursor}. */
@RestController
@Validated
@RequestMapping("/api/v1/organizations")
@Tag(name = "Identity")
public class IdentityQueryController {

    private final QueryGateway queries;

    public IdentityQueryController(QueryGateway queries) {
        this.queries = queries;
    }

    @GetMapping
    @Operation(summary = "List organizations (platform operator, or a platform key with organization:read)")
    public OrganizationPage list(@Parameter(hidden = true) Caller caller,
                                       @RequestParam(required = false) @Size(max = 200) String cursor,
                                       @RequestParam(defaultValue = "50") @Min(1) @Max(200) int limit) {
        requirePlatformWide(caller, Scopes.ORGANIZATION_READ);
        return queries.query(new ListOrganizations(caller, new PageRequest(cursor, limit)),
                ResponseTypes.instanceOf(OrganizationPage.class)).join();
    }

    @GetMapping("/{organizationId}")
    @Operation(summary = "Get an organization")
    public OrganizationView get(@Parameter(hidden = true) Caller caller, @PathVariable UUID organizationId) {
        Access.requireOrganization(caller, organizationId, Scopes.ORGANIZATION_READ);
        return find(caller, organizationId);
    }

    private OrganizationView find(Caller caller, UUID organizationId) {
        Optional<OrganizationView> found = queries.query(new FindOrganization(caller, organizationId),
                ResponseTypes.optionalInstanceOf(OrganizationView.class)).join();
        return found.orElseThrow(() -> RuleViolation.notFound("ORGANIZATION_NOT_FOUND", "No such organization"));
    }

    @GetMapping("/{organizationId}/users")
    @Operation(summary = "List an organization's users")
    public UserPage users(@Parameter(hidden = true) Caller caller, @PathVariable UUID organizationId,
                                @RequestParam(required = false) @Size(max = 200) String cursor,
                                @RequestParam(defaultValue = "50") @Min(1) @Max(200) int limit) {
        requireVisible(caller, organizationId, Scopes.USERS_READ);
        return queries.query(new ListUsers(caller, organizationId, new PageRequest(cursor, limit)),
                ResponseTypes.instanceOf(UserPage.class)).join();
    }

    @GetMapping("/{organizationId}/api-keys")
    @Operation(summary = "List an organization's API keys (never their secrets)")
    public ApiKeyPage apiKeys(@Parameter(hidden = true) Caller caller, @PathVariable UUID organizationId,
                                    @RequestParam(required = false) @Size(max = 200) String cursor,
                                    @RequestParam(defaultValue = "50") @Min(1) @Max(200) int limit) {
        requireVisible(caller, organizationId, Scopes.API_KEYS_READ);
        return queries.query(new ListApiKeys(caller, organizationId, new PageRequest(cursor, limit)),
                ResponseTypes.instanceOf(ApiKeyPage.class)).join();
    }

    /** Platform-wide reads: the operator, or a platform API key with the scope. */
    static void requirePlatformWide(Caller caller, String scope) {
        if (!caller.isPlatformWide()) {
            Access.requirePlatformAdmin(caller);
        }
        if (!caller.hasScope(scope)) {
            throw new io.celaest.api.platform.Forbidden("This action needs the scope '" + scope + "'");
        }
    }

    /** Lists of an unknown or deleted organization answer 404 like the organization itself. */
    private void requireVisible(Caller caller, UUID organizationId, String scope) {
        Access.requireOrganization(caller, organizationId, scope);
        find(caller, organizationId);
    }
}
