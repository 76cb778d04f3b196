package io.celaest.command.identity;

import io.celaest.api.identity.CreatePlatformApiKey;
import io.celaest.api.identity.RevokePlatformApiKey;
import io.celaest.api.platform.Access;
import io.celaest.api.platform.Caller;
import io.celaest.api.platform.TimeOrderedIds;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.Set;
import java.util.UUID;

/** Platform API keys: read-only keys over every tenant, such as a platform auditor's {@code audit:read}. */
@RestController
@RequestMapping("/api/v1/platform/api-keys")
@Tag(name = "Identity")
public class PlatformApiKeyController {

    private final CommandGateway commands;
    private final ApiKeySecrets secrets;

    public PlatformApiKeyController(CommandGateway commands, ApiKeySecrets secrets) {
        this.commands = commands;
        this.secrets = secrets;
    }

    @PostMapping
    @ApiResponse(responseCode = "201", description = "Created; key is the secret, shown this once")
    @Operation(summary = "Create a platform API key with read-only scopes (platform operator); the secret is shown once")
    public ResponseEntity<OrganizationCommandController.ApiKeyCreatedResponse> create(
            @Parameter(hidden = true) Caller caller,
            @Valid @RequestBody OrganizationCommandController.CreateApiKeyRequest request) {
        Access.requirePlatformAdmin(caller);
        UUID keyId = TimeOrderedIds.next();
        ApiKeySecrets.NewKey key = secrets.generate();
        Set<String> scopes = Set.copyOf(request.scopes());
        commands.sendAndWait(new CreatePlatformApiKey(keyId, request.name(), scopes, request.expiresAt(), key.prefix(),
                key.hash()));
        return ResponseEntity.created(URI.create("/api/v1/platform/api-keys/" + keyId))
                .body(new OrganizationCommandController.ApiKeyCreatedResponse(keyId, null, request.name(),
                        key.secret(), key.prefix(), scopes, request.expiresAt()));
    }

    @DeleteMapping("/{keyId}")
    @Operation(summary = "Revoke a platform API key (platform operator)")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void revoke(@Parameter(hidden = true) Caller caller, @PathVariable UUID keyId) {
        Access.requirePlatformAdmin(caller);
        commands.sendAndWait(new RevokePlatformApiKey(keyId));
    }
}
