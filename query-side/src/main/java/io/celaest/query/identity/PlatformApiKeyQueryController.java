package io.celaest.query.identity;

import io.celaest.api.identity.ApiKeyPage;
import io.celaest.api.identity.ListPlatformApiKeys;
import io.celaest.api.platform.Access;
import io.celaest.api.platform.Caller;
import io.celaest.api.platform.PageRequest;
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
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Validated
@RequestMapping("/api/v1/platform/api-keys")
@Tag(name = "Identity")
public class PlatformApiKeyQueryController {

    private final QueryGateway queries;

    public PlatformApiKeyQueryController(QueryGateway queries) {
        this.queries = queries;
    }

    @GetMapping
    @Operation(summary = "List platform API keys, never their secrets (platform operator)")
    public ApiKeyPage list(@Parameter(hidden = true) Caller caller,
                           @RequestParam(required = false) @Size(max = 200) String cursor,
                           @RequestParam(defaultValue = "50") @Min(1) @Max(200) int limit) {
        Access.requirePlatformAdmin(caller);
        return queries.query(new ListPlatformApiKeys(caller, new PageRequest(cursor, limit)),
                ResponseTypes.instanceOf(ApiKeyPage.class)).join();
    }
}
