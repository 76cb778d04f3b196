package io.celaest.server.platform.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The error half of the contract in the OpenAPI document: every operation lists the RFC 9457 problems it can
 * answer ({@code application/problem+json}, schema {@code Problem}), those of a body only where there is one.
 * Operations that document a problem themselves keep their own description.
 */
@Configuration(proxyBeanMethods = false)
public class ProblemResponsesDocumentation {

    private static final Map<String, String> EVERY_OPERATION = new TreeMap<>(Map.of(
            "400", "Bad input: the problem's errors name each offending field or parameter",
            "401", "No bearer token, or not a valid key",
            "403", "The key lacks the scope or role this needs",
            "404", "No such resource, or another organization's"));
    private static final Map<String, String> WITH_A_BODY = new TreeMap<>(Map.of(
            "409", "A conflict with the current state or a limit (the problem's code says which)",
            "413", "The body is over 1 MiB",
            "415", "The body is not application/json",
            "422", "A rule refused it, or an Idempotency-Key reused with another request"));

    @Bean
    OpenApiCustomizer problemResponses() {
        return openApi -> {
            if (openApi.getComponents() == null) {
                openApi.setComponents(new Components());
            }
            openApi.getComponents().addSchemas("Problem", problemSchema());
            if (openApi.getPaths() == null) {
                return;
            }
            openApi.getPaths().values().forEach(path -> path.readOperationsMap().forEach((method, operation) -> {
                boolean body = method == PathItem.HttpMethod.POST || method == PathItem.HttpMethod.PATCH
                        || method == PathItem.HttpMethod.PUT;
                add(operation, EVERY_OPERATION);
                if (body) {
                    add(operation, WITH_A_BODY);
                }
            }));
        };
    }

    private static void add(Operation operation, Map<String, String> problems) {
        if (operation.getResponses() == null) {
            operation.setResponses(new ApiResponses());
        }
        problems.forEach((status, description) -> {
            if (!operation.getResponses().containsKey(status)) {
                operation.getResponses().addApiResponse(status, new ApiResponse().description(description)
                        .content(new Content().addMediaType("application/problem+json",
                                new MediaType().schema(new Schema<>().$ref("#/components/schemas/Problem")))));
            }
        });
    }

    private static Schema<?> problemSchema() {
        Map<String, Schema> properties = new LinkedHashMap<>();
        properties.put("type", new StringSchema().format("uri"));
        properties.put("title", new StringSchema());
        properties.put("status", new IntegerSchema());
        properties.put("detail", new StringSchema());
        properties.put("instance", new StringSchema());
        properties.put("code", new StringSchema().description("Stable machine-readable code, e.g. EMAIL_TAKEN"));
        properties.put("errors", new ArraySchema().items(new ObjectSchema()
                .addProperty("field", new StringSchema()).addProperty("message", new StringSchema())));
        ObjectSchema problem = new ObjectSchema();
        problem.setProperties(properties);
        problem.setDescription("RFC 9457 problem details");
        return problem;
    }
}
