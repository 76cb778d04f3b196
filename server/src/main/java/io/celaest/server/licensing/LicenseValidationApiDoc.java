package io.celaest.server.licensing;

import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.stereotype.Component;

import java.util.List;

/** Puts {@link LicenseValidationHandler} (a Jetty handler, invisible to springdoc) into the OpenAPI document. */
@Component
public class LicenseValidationApiDoc implements OpenApiCustomizer {

    @Override
    public void customise(io.swagger.v3.oas.models.OpenAPI openApi) {
        if (openApi.getComponents() == null) {
            openApi.setComponents(new Components());
        }
        ModelConverters.getInstance().read(LicenseValidationHandler.ValidateRequest.class)
                .forEach(openApi.getComponents()::addSchemas);
        ModelConverters.getInstance().read(LicenseValidationHandler.ValidationResponse.class)
                .forEach(openApi.getComponents()::addSchemas);
        ModelConverters.getInstance().read(LicenseValidationHandler.LicenseSummary.class)
                .forEach(openApi.getComponents()::addSchemas);
        Schema<?> request = new Schema<>().$ref("#/components/schemas/ValidateRequest");
        Schema<?> answer = new Schema<>().$ref("#/components/schemas/ValidationResponse");
        Content problem = new Content().addMediaType("application/problem+json", new MediaType());
        Operation validate = new Operation()
                .tags(List.of("Licensing"))
                .operationId("validateLicense")
                .summary("Validate a license key (no bearer token; rate limited per key and per IP)")
                .description("key: required, at most 100 characters; fingerprint: optional, 1-256 printable ASCII "
                        + "characters; productId: optional UUID. Codes in the order checked: NOT_FOUND, SUSPENDED, "
                        + "CANCELLED, EXPIRED, PRODUCT_SCOPE_MISMATCH, TOO_MANY_BINDINGS, COLLISION_BLOCKED, VALID.")
                .security(List.of())
                .requestBody(new RequestBody().required(true)
                        .content(new Content().addMediaType("application/json", new MediaType().schema(request))))
                .responses(new ApiResponses()
                        .addApiResponse("200", new ApiResponse().description("The answer, valid or not")
                                .content(new Content().addMediaType("application/json", new MediaType().schema(answer))))
                        .addApiResponse("400", new ApiResponse().description("Malformed JSON or invalid fields").content(problem))
                        .addApiResponse("413", new ApiResponse().description("Body over 8 KiB").content(problem))
                        .addApiResponse("415", new ApiResponse().description("Not application/json").content(problem))
                        .addApiResponse("429", new ApiResponse().description("Rate limited; see Retry-After").content(problem)));
        openApi.path(LicenseValidationHandler.PATH, new PathItem().post(validate));
    }
}
