package io.celaest.server.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.celaest.api.audit.AuditLogPage;
import io.celaest.query.audit.AuditLogPages;
import io.celaest.server.platform.web.ProblemHandler;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.media.UUIDSchema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.List;

/**
 * Serves {@link AuditLogListEndpoint} on its exact path (the servlet container prefers an exact mapping to
 * the dispatcher's {@code /}) and describes it in the OpenAPI document, where springdoc cannot see it.
 */
@Configuration(proxyBeanMethods = false)
public class AuditLogListConfiguration {

    @Bean
    ServletRegistrationBean<AuditLogListEndpoint> auditLogList(AuditLogPages pages, ProblemHandler problems,
                                                               ObjectMapper json) {
        ServletRegistrationBean<AuditLogListEndpoint> registration = new ServletRegistrationBean<>(
                new AuditLogListEndpoint(pages, problems, json), AuditLogListEndpoint.PATH);
        registration.setName("auditLogList");
        registration.setLoadOnStartup(1);
        return registration;
    }

    @Bean
    OpenApiCustomizer auditLogListDocument() {
        return AuditLogListConfiguration::describe;
    }

    static void describe(OpenAPI openApi) {
        if (openApi.getComponents() == null) {
            openApi.setComponents(new Components());
        }
        ModelConverters.getInstance().readAll(AuditLogPage.class).forEach(openApi.getComponents()::addSchemas);
        Content problem = new Content().addMediaType("application/problem+json", new MediaType());
        Operation list = new Operation()
                .tags(List.of("Audit"))
                .operationId("listAuditLogs")
                .summary("Audit log entries, filtered, in event-log order (cursor pagination)")
                .description("The platform operator sees every organization; a key with the scope audit:read sees "
                        + "its own organization only (naming another answers 404). Pass nextCursor back as cursor; "
                        + "from is inclusive, to exclusive.")
                .parameters(List.of(
                        query("organizationId", new UUIDSchema()),
                        query("actorId", new StringSchema().maxLength(255)),
                        query("resourceType", new StringSchema().maxLength(64)),
                        query("resourceId", new StringSchema().maxLength(255)),
                        query("action", new StringSchema().pattern(AuditLogListEndpoint.ACTION.pattern())),
                        query("outcome", new StringSchema()._enum(List.of("success", "failure"))),
                        query("from", new StringSchema().format("date-time")),
                        query("to", new StringSchema().format("date-time")),
                        query("cursor", new StringSchema().maxLength(200)),
                        query("limit", new IntegerSchema().minimum(java.math.BigDecimal.ONE)
                                .maximum(java.math.BigDecimal.valueOf(AuditLogListEndpoint.MAX_LIMIT))
                                ._default(AuditLogListEndpoint.DEFAULT_LIMIT))))
                .responses(new ApiResponses()
                        .addApiResponse("200", new ApiResponse().description("One page").content(new Content()
                                .addMediaType("application/json", new MediaType()
                                        .schema(new Schema<>().$ref("#/components/schemas/AuditLogPage")))))
                        .addApiResponse("400", new ApiResponse().description("Invalid parameters").content(problem))
                        .addApiResponse("401", new ApiResponse().description("No or bad token").content(problem))
                        .addApiResponse("403", new ApiResponse().description("Not an auditor").content(problem))
                        .addApiResponse("404", new ApiResponse().description("Another organization").content(problem)));
        openApi.path(AuditLogListEndpoint.PATH, new PathItem().get(list));
    }

    private static Parameter query(String name, Schema<?> schema) {
        return new Parameter().in("query").name(name).required(false).schema(schema);
    }
}
