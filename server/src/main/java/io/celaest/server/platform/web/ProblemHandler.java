package io.celaest.server.platform.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.celaest.api.platform.Forbidden;
import io.celaest.api.platform.RuleViolation;
import io.celaest.api.platform.TooManyRequests;
import io.celaest.projections.platform.Cursor;
import io.celaest.server.audit.FailureAuditor;
import io.celaest.server.system.SystemEvents;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.axonframework.queryhandling.QueryExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

/**
 * Every error is an RFC 9457 problem with a stable {@code code}; bad input is a 4xx naming the offending
 * fields ({@code errors: [{field, message}]}), never a 500.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    record FieldProblem(String field, String message) {
    }

    private final FailureAuditor failures;
    private final SystemEvents systemEvents;

    public ProblemHandler(FailureAuditor failures, SystemEvents systemEvents) {
        this.failures = failures;
        this.systemEvents = systemEvents;
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        List<FieldProblem> errors = ex.getBindingResult().getFieldErrors().stream()
                .map(e -> new FieldProblem(e.getField(), message(e)))
                .sorted(java.util.Comparator.comparing(FieldProblem::field))
                .toList();
        return badRequest("INVALID_REQUEST", "The request has invalid fields", errors);
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException ex,
                                                                            HttpHeaders headers, HttpStatusCode status,
                                                                            WebRequest request) {
        List<FieldProblem> errors = ex.getParameterValidationResults().stream()
                .flatMap(r -> r.getResolvableErrors().stream().map(e -> new FieldProblem(
                        r.getMethodParameter().getParameterName(), e.getDefaultMessage())))
                .toList();
        return badRequest("INVALID_REQUEST", "The request has invalid parameters", errors);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        if (causedBy(ex, BodySizeLimitFilter.PayloadTooLarge.class)) {
            return problem(Problems.of(HttpStatus.PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE",
                    "The request body exceeds " + BodySizeLimitFilter.MAX_BODY_BYTES + " bytes"));
        }
        Throwable cause = ex.getCause();
        if (cause instanceof UnrecognizedPropertyException unknown) {
            return badRequest("UNKNOWN_FIELD", "The request has a field this endpoint does not know",
                    List.of(new FieldProblem(path(unknown), "unknown field")));
        }
        if (cause instanceof InvalidFormatException invalid) {
            String own = invalid.getOriginalMessage();
            String message = StrictJsonConfiguration.NUL_MESSAGE.equals(own)
                    || StrictJsonConfiguration.INSTANT_RANGE_MESSAGE.equals(own)
                    ? own : "expected " + simpleType(invalid.getTargetType());
            return badRequest("INVALID_REQUEST", "A field has the wrong type or format",
                    List.of(new FieldProblem(path(invalid), message)));
        }
        if (cause instanceof MismatchedInputException mismatched && !mismatched.getPath().isEmpty()) {
            return badRequest("INVALID_REQUEST", "A field has the wrong type",
                    List.of(new FieldProblem(path(mismatched), "expected " + simpleType(mismatched.getTargetType()))));
        }
        if (cause instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()
                && mapping.getCause() instanceof InputCoercionException coercion) {
            // a number out of the field's range: Jackson wraps the parser's error with the field's path
            return badRequest("INVALID_REQUEST", "A field has the wrong type or format",
                    List.of(new FieldProblem(path(mapping), "expected " + simpleType(coercion.getTargetType())
                            + " within its range")));
        }
        String duplicate = StrictJsonConfiguration.duplicateKey(cause);
        if (duplicate != null) {
            return badRequest("MALFORMED_JSON", "The request body has a key twice",
                    List.of(new FieldProblem(duplicate, "appears more than once")));
        }
        if (cause instanceof JsonProcessingException) {
            return badRequest("MALFORMED_JSON", "The request body is not valid JSON", List.of());
        }
        return badRequest("MALFORMED_REQUEST", "The request body is missing or unreadable", List.of());
    }

    /**
     * Parameter constraints of a {@code @Validated} controller are checked by a method-validation proxy, which
     * throws this instead of Spring MVC's {@link HandlerMethodValidationException}: bad input all the same.
     */
    @ExceptionHandler(ConstraintViolationException.class)
    ResponseEntity<Object> constraintViolation(ConstraintViolationException ex) {
        List<FieldProblem> errors = ex.getConstraintViolations().stream()
                .map(v -> new FieldProblem(leafName(v.getPropertyPath()), v.getMessage()))
                .sorted(java.util.Comparator.comparing(FieldProblem::field))
                .toList();
        return badRequest("INVALID_REQUEST", "The request has invalid parameters", errors);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> typeMismatch(MethodArgumentTypeMismatchException ex) {
        return badRequest("INVALID_REQUEST", "A parameter has the wrong format",
                List.of(new FieldProblem(ex.getName(), "expected " + simpleType(ex.getRequiredType()))));
    }

    @ExceptionHandler(Cursor.InvalidCursor.class)
    ResponseEntity<Object> invalidCursor(Cursor.InvalidCursor ex) {
        return badRequest("INVALID_REQUEST", "The cursor is not valid", List.of(new FieldProblem("cursor", ex.getMessage())));
    }

    @ExceptionHandler(TooManyRequests.class)
    ResponseEntity<Object> tooManyRequests(TooManyRequests ex) {
        return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(ex.retryAfterSeconds()))
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(Problems.of(HttpStatus.TOO_MANY_REQUESTS, "RATE_LIMITED", ex.getMessage()));
    }

    @ExceptionHandler(RuleViolation.class)
    ResponseEntity<Object> ruleViolation(RuleViolation ex) {
        HttpStatus status = switch (ex.kind()) {
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case CONFLICT -> HttpStatus.CONFLICT;
            case UNPROCESSABLE -> HttpStatus.UNPROCESSABLE_ENTITY;
        };
        failures.rejected(status.value(), ex.code(), ex.getMessage());
        ProblemDetail problem = Problems.of(status, ex.code(), ex.getMessage());
        ex.details().forEach(problem::setProperty);
        return problem(problem);
    }

    @ExceptionHandler(Forbidden.class)
    ResponseEntity<Object> forbidden(Forbidden ex) {
        failures.denied(HttpStatus.FORBIDDEN.value(), ex.getMessage());
        return problem(Problems.of(HttpStatus.FORBIDDEN, "FORBIDDEN", ex.getMessage()));
    }

    /** Still losing the race after the gateway's retries: the client may simply try again. */
    @ExceptionHandler(ConcurrencyException.class)
    ResponseEntity<Object> concurrentModification(ConcurrencyException ex) {
        return problem(Problems.of(HttpStatus.CONFLICT, "CONCURRENT_MODIFICATION",
                "Another request changed this resource at the same moment; retry"));
    }

    @ExceptionHandler(AggregateNotFoundException.class)
    ResponseEntity<Object> aggregateNotFound(AggregateNotFoundException ex) {
        failures.rejected(HttpStatus.NOT_FOUND.value(), "NOT_FOUND", "No such resource");
        return problem(Problems.of(HttpStatus.NOT_FOUND, "NOT_FOUND", "No such resource"));
    }

    /** Axon wraps what a handler threw; answer for the cause. */
    @ExceptionHandler({CommandExecutionException.class, QueryExecutionException.class, CompletionException.class})
    ResponseEntity<Object> wrapped(Exception ex) {
        Throwable cause = ex.getCause();
        if (cause != null && cause != ex && cause instanceof Exception inner) {
            return answerFor(inner);
        }
        return unexpected(ex);
    }

    /**
     * The answer for what a handler threw, as the handlers above give it: also for the endpoints served by plain
     * servlets, outside Spring MVC's exception resolution ({@link #write}).
     */
    public ResponseEntity<Object> answerFor(Exception ex) {
        if (ex instanceof RuleViolation violation) {
            return ruleViolation(violation);
        }
        if (ex instanceof Forbidden forbidden) {
            return forbidden(forbidden);
        }
        if (ex instanceof ConcurrencyException concurrent) {
            return concurrentModification(concurrent);
        }
        if (ex instanceof AggregateNotFoundException notFound) {
            return aggregateNotFound(notFound);
        }
        if (ex instanceof Cursor.InvalidCursor invalid) {
            return invalidCursor(invalid);
        }
        if (ex instanceof TooManyRequests limited) {
            return tooManyRequests(limited);
        }
        if (ex instanceof CommandExecutionException || ex instanceof QueryExecutionException
                || ex instanceof CompletionException) {
            return wrapped(ex);
        }
        return unexpected(ex);
    }

    /** Sends an answer of {@link #answerFor} (or any problem response) from a servlet. */
    public static void write(HttpServletRequest request, HttpServletResponse response, ObjectMapper json,
                             ResponseEntity<Object> answer) throws IOException {
        response.setStatus(answer.getStatusCode().value());
        answer.getHeaders().forEach((name, values) -> values.forEach(value -> response.addHeader(name, value)));
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        Object body = answer.getBody() instanceof ProblemDetail problem ? Problems.withInstance(problem, request)
                : answer.getBody();
        json.writeValue(response.getOutputStream(), body);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception ex) {
        if (DatabaseUnavailable.causes(ex)) {
            // not an UnhandledError system event: recording it would wait for the same database
            log.warn("The database cannot be reached: {}", ex.toString());
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                    .header(HttpHeaders.RETRY_AFTER, DatabaseUnavailable.RETRY_AFTER_SECONDS)
                    .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .body(Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "DATABASE_UNAVAILABLE",
                            "The database cannot be reached; retry later"));
        }
        log.error("Unexpected error", ex);
        systemEvents.unhandledError(ex);
        return problem(Problems.of(HttpStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR",
                "Something went wrong on our side; the correlation id identifies it in the logs"));
    }

    @Override
    protected ResponseEntity<Object> createResponseEntity(Object body, HttpHeaders headers, HttpStatusCode status,
                                                          WebRequest request) {
        if (body instanceof ProblemDetail problem && problem.getProperties() == null) {
            String code = HttpStatus.valueOf(status.value()).name();
            problem.setProperty("code", code);
            if (problem.getType() == null || "about:blank".equals(problem.getType().toString())) {
                problem.setType(Problems.of(HttpStatus.valueOf(status.value()), code, "").getType());
            }
        }
        return super.createResponseEntity(body, headers, status, request);
    }

    private static ResponseEntity<Object> badRequest(String code, String detail, List<FieldProblem> errors) {
        ProblemDetail problem = Problems.of(HttpStatus.BAD_REQUEST, code, detail);
        problem.setProperty("errors", errors);
        return problem(problem);
    }

    private static ResponseEntity<Object> problem(ProblemDetail problem) {
        return ResponseEntity.status(problem.getStatus())
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }

    private static String message(FieldError error) {
        return error.getDefaultMessage() == null ? "is invalid" : error.getDefaultMessage();
    }

    private static String path(JsonMappingException ex) {
        return ex.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String leafName(Path path) {
        String name = path.toString();
        for (Path.Node node : path) {
            if (node.getName() != null) {
                name = node.getName();
            }
        }
        return name;
    }

    /** How a 400 names the type a field or parameter must have ("a UUID", "an ISO-8601 instant"). */
    public static String simpleType(Class<?> type) {
        if (type == null) {
            return "another type";
        }
        Map<Class<?>, String> names = Map.of(java.util.UUID.class, "a UUID", Integer.class, "an integer",
                int.class, "an integer", Long.class, "an integer", long.class, "an integer",
                String.class, "a string", java.time.Instant.class, "an ISO-8601 instant", Boolean.class, "a boolean");
        return names.getOrDefault(type, type.isEnum() ? "one of the allowed values"
                : java.util.Collection.class.isAssignableFrom(type) ? "an array"
                : java.util.Map.class.isAssignableFrom(type) ? "an object" : type.getSimpleName());
    }

    private static boolean causedBy(Throwable ex, Class<? extends Throwable> type) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
