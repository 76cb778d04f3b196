package io.celaest.server.licensing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.celaest.api.licensing.LicenseStatus;
import io.celaest.api.licensing.PlanLimitsView;
import io.celaest.api.platform.Caller;
import io.celaest.api.platform.TooManyRequests;
import io.celaest.command.licensing.LicenseRuntime;
import io.celaest.command.licensing.LicenseValidator;
import io.celaest.command.licensing.ValidationCode;
import io.celaest.server.platform.security.RequestContext;
import io.celaest.server.platform.web.Problems;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * {@code POST /api/v1/licenses/validate}, the hot path, served ahead of Spring MVC and the filters that do not
 * apply to it (no bearer token, no idempotency, no read-your-writes): per validation, MVC's dispatch around the
 * handler cost more CPU than the validation itself (docs/benchmarks.md, licensing). The contract is the API's:
 * 200 with {@code {valid, code, detail, license}} for any well-formed request, RFC 9457 problems for bad input
 * (400 naming the field, 413, 415) and 429 with Retry-After. Validations are counted per code in
 * {@code celaest_license_validations_total}; the operation is described in the OpenAPI document by
 * {@link LicenseValidationApiDoc}.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class LicenseValidationEndpoint extends OncePerRequestFilter {

    public static final String PATH = "/api/v1/licenses/validate";
    static final int MAX_BODY_BYTES = 8 * 1024;

    public record ValidateRequest(String key, String fingerprint, UUID productId) {
    }

    public record LicenseSummary(UUID id, String status, Instant expiresAt, String plan, PlanLimitsView limits) {
    }

    public record ValidationResponse(boolean valid, String code, String detail, LicenseSummary license) {
    }

    private static final Logger log = LoggerFactory.getLogger(LicenseValidationEndpoint.class);

    private final LicenseValidator validator;
    private final ObjectReader reader;
    private final ObjectWriter writer;
    private final ObjectMapper json;
    private final Map<ValidationCode, Counter> counted = new EnumMap<>(ValidationCode.class);

    public LicenseValidationEndpoint(LicenseValidator validator, ObjectMapper json, MeterRegistry meters) {
        this.validator = validator;
        this.json = json;
        this.reader = json.readerFor(ValidateRequest.class);
        this.writer = json.writerFor(ValidationResponse.class);
        for (ValidationCode code : ValidationCode.values()) {
            counted.put(code, Counter.builder("celaest.license.validations").tag("code", code.name())
                    .description("License validations answered, by code").register(meters));
        }
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !PATH.equals(request.getRequestURI());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!"POST".equals(request.getMethod())) {
            response.setHeader(HttpHeaders.ALLOW, "POST");
            problem(response, HttpStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "Use POST", List.of());
            return;
        }
        MediaType type;
        try {
            type = request.getContentType() == null ? null : MediaType.parseMediaType(request.getContentType());
        } catch (IllegalArgumentException e) {
            type = null;
        }
        if (type == null || !MediaType.APPLICATION_JSON.isCompatibleWith(type)) {
            problem(response, HttpStatus.UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE",
                    "The body must be application/json", List.of());
            return;
        }
        byte[] body = readLimited(request);
        if (body == null) {
            problem(response, HttpStatus.PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE",
                    "The request body exceeds " + MAX_BODY_BYTES + " bytes", List.of());
            return;
        }
        ValidateRequest parsed;
        try {
            parsed = reader.readValue(body);
        } catch (UnrecognizedPropertyException unknown) {
            problem(response, HttpStatus.BAD_REQUEST, "UNKNOWN_FIELD", "The request has a field this endpoint does "
                    + "not know", List.of(field(path(unknown), "unknown field")));
            return;
        } catch (JsonMappingException mapping) {
            String field = path(mapping);
            problem(response, HttpStatus.BAD_REQUEST, field.isEmpty() ? "MALFORMED_JSON" : "INVALID_REQUEST",
                    field.isEmpty() ? "The request body is not a JSON object" : "A field has the wrong type or format",
                    field.isEmpty() ? List.of() : List.of(field(field, "wrong type or format")));
            return;
        } catch (JsonProcessingException malformed) {
            problem(response, HttpStatus.BAD_REQUEST, "MALFORMED_JSON", "The request body is not valid JSON", List.of());
            return;
        }
        List<Map<String, String>> invalid = check(parsed);
        if (!invalid.isEmpty()) {
            problem(response, HttpStatus.BAD_REQUEST, "INVALID_REQUEST", "The request has invalid fields", invalid);
            return;
        }
        RequestContext.set(new RequestContext(Caller.licenseKeyHolder(), request.getRemoteAddr(),
                truncate(request.getHeader(HttpHeaders.USER_AGENT)), UUID.randomUUID().toString(), null));
        try {
            LicenseValidator.Outcome outcome = validator.validate(parsed.key(), parsed.fingerprint(),
                    parsed.productId(), request.getRemoteAddr());
            counted.get(outcome.code()).increment();
            response.setStatus(HttpServletResponse.SC_OK);
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            writer.writeValue(response.getOutputStream(), answer(outcome));
        } catch (TooManyRequests limited) {
            response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(limited.retryAfterSeconds()));
            problem(response, HttpStatus.TOO_MANY_REQUESTS, "RATE_LIMITED", limited.getMessage(), List.of());
        } catch (RuntimeException failure) {
            log.error("License validation failed", failure);
            problem(response, HttpStatus.SERVICE_UNAVAILABLE, "VALIDATION_UNAVAILABLE",
                    "The validation could not be recorded; retry", List.of());
        } finally {
            RequestContext.clear();
        }
    }

    private static ValidationResponse answer(LicenseValidator.Outcome outcome) {
        LicenseRuntime license = outcome.license();
        LicenseSummary summary = license == null ? null : new LicenseSummary(license.id(),
                outcome.code() == ValidationCode.EXPIRED ? LicenseStatus.EXPIRED.code() : license.status().code(),
                license.expiresAt(), license.planCode(), PlanLimitsView.of(license.limits()));
        return new ValidationResponse(outcome.valid(), outcome.code().name(), outcome.code().detail(), summary);
    }

    /** The same rules the OpenAPI document states: key required (≤ 100), fingerprint 1–256 printable ASCII. */
    private static List<Map<String, String>> check(ValidateRequest request) {
        List<Map<String, String>> errors = new java.util.ArrayList<>();
        if (request.key() == null) {
            errors.add(field("key", "must not be null"));
        } else if (request.key().length() > 100) {
            errors.add(field("key", "size must be between 0 and 100"));
        }
        if (request.fingerprint() != null && (request.fingerprint().isEmpty() || request.fingerprint().length() > 256
                || !printable(request.fingerprint()))) {
            errors.add(field("fingerprint", "1 to 256 printable ASCII characters without spaces"));
        }
        return errors;
    }

    /** Printable ASCII without spaces (0x21–0x7E); a loop, not a regular expression, on the hot path. */
    private static boolean printable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }

    /**
     * The body, or null when it is over the limit. A declared length is read as exactly that many bytes (one small
     * array: the body is typically under 200 bytes, and an 8 KiB buffer per validation was most of the endpoint's
     * garbage); a chunked body is read in steps up to the limit.
     */
    private static byte[] readLimited(HttpServletRequest request) throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > MAX_BODY_BYTES) {
            return null;
        }
        InputStream in = request.getInputStream();
        if (declared >= 0) {
            return in.readNBytes((int) declared);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(256);
        byte[] step = new byte[512];
        for (int read; (read = in.read(step)) != -1; ) {
            body.write(step, 0, read);
            if (body.size() > MAX_BODY_BYTES) {
                return null;
            }
        }
        return body.toByteArray();
    }

    private void problem(HttpServletResponse response, HttpStatus status, String code, String detail,
                         List<Map<String, String>> errors) throws IOException {
        ProblemDetail problem = Problems.of(status, code, detail);
        if (!errors.isEmpty()) {
            problem.setProperty("errors", errors);
        }
        Problems.write(response, json, problem);
    }

    private static Map<String, String> field(String field, String message) {
        return Map.of("field", field, "message", message);
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream().map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    private static String truncate(String value) {
        return value == null || value.length() <= 500 ? value : value.substring(0, 500);
    }
}
