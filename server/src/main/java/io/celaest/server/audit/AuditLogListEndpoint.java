package io.celaest.server.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.celaest.api.audit.AuditLogFilter;
import io.celaest.api.platform.Caller;
import io.celaest.api.platform.Instants;
import io.celaest.query.audit.AuditLogPages;
import io.celaest.server.platform.security.AuthenticationFilter;
import io.celaest.server.platform.web.ProblemHandler;
import io.celaest.server.platform.web.Problems;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.filter.ServerHttpObservationFilter;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * {@code GET /api/v1/audit-logs}: a plain servlet on that exact path, behind the same filters as every API call
 * (authentication, read-your-writes, metrics) but not Spring MVC. The list has a latency target (p95 ≤ 100 ms
 * at 1M rows): MVC's dispatch, argument conversion and method-validation proxy, the query bus and re-serialising
 * each row cost more CPU than the SQL (docs/benchmarks.md, audit). The contract is unchanged: the same
 * parameters and limits, 400 naming the offending parameters, 403/404 as the rest of the API, and the page as
 * {@code AuditLogPage} JSON, documented by {@link AuditLogListConfiguration}.
 */
public class AuditLogListEndpoint extends HttpServlet {

    public static final String PATH = "/api/v1/audit-logs";
    static final Pattern ACTION = Pattern.compile("[a-z_]{1,32}");
    static final Pattern OUTCOME = Pattern.compile("success|failure");
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;

    private final AuditLogPages pages;
    private final ProblemHandler problems;
    private final ObjectMapper json;

    public AuditLogListEndpoint(AuditLogPages pages, ProblemHandler problems, ObjectMapper json) {
        this.pages = pages;
        this.problems = problems;
        this.json = json;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        // the metrics' uri tag, which MVC would set from its mapping
        ServerHttpObservationFilter.findObservationContext(request).ifPresent(context -> context.setPathPattern(PATH));
        if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
            response.setHeader(HttpHeaders.ALLOW, "GET, HEAD");
            problem(request, response, Problems.of(HttpStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED",
                    "Method '" + request.getMethod() + "' is not supported."), List.of());
            return;
        }
        Caller caller = (Caller) request.getAttribute(AuthenticationFilter.CALLER_ATTRIBUTE);
        if (caller == null) { // the authentication filter answers first; this is only a safety net
            problem(request, response, Problems.of(HttpStatus.UNAUTHORIZED, "UNAUTHORIZED", "A bearer token is required"), List.of());
            return;
        }
        Parameters parameters = new Parameters(request);
        AuditLogFilter filter = new AuditLogFilter(
                parameters.parsed("organizationId", UUID::fromString, UUID.class),
                parameters.text("actorId", 255), parameters.text("resourceType", 64), parameters.text("resourceId", 255),
                parameters.matching("action", ACTION), parameters.matching("outcome", OUTCOME),
                parameters.parsed("from", AuditLogListEndpoint::instant, Instant.class),
                parameters.parsed("to", AuditLogListEndpoint::instant, Instant.class));
        String cursor = parameters.text("cursor", 200);
        Integer limit = parameters.parsed("limit", Integer::valueOf, int.class);
        if (limit != null && limit < 1) {
            parameters.invalid("limit", "must be greater than or equal to 1");
        } else if (limit != null && limit > MAX_LIMIT) {
            parameters.invalid("limit", "must be less than or equal to " + MAX_LIMIT);
        }
        if (!parameters.errors.isEmpty()) {
            problem(request, response, Problems.of(HttpStatus.BAD_REQUEST, "INVALID_REQUEST", "The request has invalid parameters"),
                    parameters.errors);
            return;
        }
        byte[] page;
        try {
            page = pages.page(caller, filter, cursor, limit == null ? DEFAULT_LIMIT : limit);
        } catch (RuntimeException failure) {
            ProblemHandler.write(request, response, json, problems.answerFor(failure));
            return;
        }
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setContentLength(page.length);
        if (!"HEAD".equals(request.getMethod())) {
            response.getOutputStream().write(page);
        }
    }

    /** ISO-8601 date-time with an offset or zone ({@code 2026-11-24T10:00:00Z}, {@code …+01:00}), as MVC takes it. */
    private static Instant instant(String text) {
        return Instants.parse(text);
    }

    private void problem(HttpServletRequest request, HttpServletResponse response, ProblemDetail problem,
                         List<Map<String, String>> errors) throws IOException {
        if (!errors.isEmpty()) {
            problem.setProperty("errors", errors);
        }
        Problems.write(request, response, json, problem);
    }

    /** The query parameters, read with the checks the OpenAPI document states; every failure is collected. */
    private static final class Parameters {
        private final HttpServletRequest request;
        private final List<Map<String, String>> errors = new ArrayList<>();

        Parameters(HttpServletRequest request) {
            this.request = request;
        }

        String text(String name, int maxLength) {
            String value = request.getParameter(name);
            if (value != null && value.length() > maxLength) {
                invalid(name, "size must be between 0 and " + maxLength);
                return null;
            }
            return value;
        }

        String matching(String name, Pattern pattern) {
            String value = request.getParameter(name);
            if (value != null && !pattern.matcher(value).matches()) {
                invalid(name, "must match \"" + pattern.pattern() + "\"");
                return null;
            }
            return value;
        }

        /** Absent or blank: null (MVC's defaults); unparseable: an error naming the expected type, as MVC's does. */
        <T> T parsed(String name, Function<String, T> parser, Class<?> type) {
            String value = request.getParameter(name);
            if (value == null || value.isBlank()) {
                return null;
            }
            try {
                return parser.apply(value.strip());
            } catch (IllegalArgumentException | DateTimeParseException e) {
                invalid(name, "expected " + ProblemHandler.simpleType(type));
                return null;
            }
        }

        void invalid(String name, String message) {
            errors.add(Map.of("field", name, "message", message));
        }
    }
}
