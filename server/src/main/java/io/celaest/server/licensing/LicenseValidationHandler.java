package io.celaest.server.licensing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.github.benmanes.caffeine.cache.Cache;
import io.celaest.api.licensing.LicenseStatus;
import io.celaest.api.licensing.PlanLimitsView;
import io.celaest.api.platform.Caller;
import io.celaest.api.platform.TooManyRequests;
import io.celaest.command.licensing.LicenseRuntime;
import io.celaest.command.licensing.LicenseValidator;
import io.celaest.command.licensing.ValidationCode;
import io.celaest.command.platform.RequestPathCaches;
import io.celaest.server.platform.security.RequestContext;
import io.celaest.server.platform.web.BodySizeLimitFilter;
import io.celaest.server.platform.web.Problems;
import io.celaest.server.platform.web.StrictJsonConfiguration;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.swagger.v3.oas.annotations.media.Schema;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code POST /api/v1/licenses/validate}, the hot path, as a Jetty core handler in front of the servlet context
 * (see {@code JettyConfiguration}): no servlet machinery, Spring MVC or filters that do not apply to it (no bearer
 * token, no idempotency, no read-your-writes), and no thread held while the validation's group commit runs: the
 * answer is written when {@link LicenseValidator} reports the row committed (docs/benchmarks.md, licensing). The
 * contract is the API's: 200 with {@code {valid, code, detail, license}} for any well-formed request, RFC 9457
 * problems for bad input (400 naming the field, 405, 413, 415) and 429 with Retry-After. Validations are counted
 * per code in {@code celaest_license_validations_total}; {@link LicenseValidationApiDoc} describes the operation in
 * the OpenAPI document. Every other request passes on untouched.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class LicenseValidationHandler extends Handler.Wrapper {

    public static final String PATH = "/api/v1/licenses/validate";
    private static final java.net.URI INSTANCE = java.net.URI.create(PATH);
    static final int MAX_BODY_BYTES = 8 * 1024;

    public record ValidateRequest(
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = 100) String key,
            @Schema(minLength = 1, maxLength = 256, description = "printable ASCII") String fingerprint,
            UUID productId) {
    }

    public record LicenseSummary(UUID id, String status, Instant expiresAt, String plan, PlanLimitsView limits) {
    }

    public record ValidationResponse(boolean valid, String code, String detail, LicenseSummary license) {
    }

    private static final Logger log = LoggerFactory.getLogger(LicenseValidationHandler.class);
    private static final HttpField JSON = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE,
            MediaType.APPLICATION_JSON_VALUE);
    private static final HttpField PROBLEM_JSON = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE,
            MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    private static final HttpField ALLOW_POST = new PreEncodedHttpField(HttpHeader.ALLOW, "POST");

    // Resolved at the first request: the web server (and this handler) is built before the application's beans.
    private final ObjectProvider<LicenseValidator> validatorProvider;
    private final ObjectProvider<ObjectMapper> jsonProvider;
    private final ObjectProvider<MeterRegistry> metersProvider;
    private volatile Parts parts;
    private final Cache<LicenseRuntime, byte[]> validAnswers = RequestPathCaches.newBuilder().weakKeys()
            .maximumSize(200_000).build();

    private record Parts(LicenseValidator validator, ObjectMapper json, ObjectReader reader, ObjectWriter writer,
                         Map<ValidationCode, Counter> counted, Timer served) {
    }

    public LicenseValidationHandler(ObjectProvider<LicenseValidator> validator, ObjectProvider<ObjectMapper> json,
                                    ObjectProvider<MeterRegistry> meters) {
        this.validatorProvider = validator;
        this.jsonProvider = json;
        this.metersProvider = meters;
    }

    private Parts parts() {
        Parts p = parts;
        if (p == null) {
            synchronized (this) {
                if (parts == null) {
                    ObjectMapper json = jsonProvider.getObject();
                    MeterRegistry meters = metersProvider.getObject();
                    Map<ValidationCode, Counter> counted = new EnumMap<>(ValidationCode.class);
                    for (ValidationCode code : ValidationCode.values()) {
                        counted.put(code, Counter.builder("celaest.license.validations").tag("code", code.name())
                                .description("License validations answered, by code").register(meters));
                    }
                    parts = new Parts(validatorProvider.getObject(), json, lenientAboutEmptyIds(json)
                            .readerFor(ValidateRequest.class),
                            json.writerFor(ValidationResponse.class), counted,
                            Timer.builder("celaest.license.validation.served").publishPercentiles(0.5, 0.99)
                                    .description("Time from a validation's decision to its answer being sent")
                                    .register(meters));
                }
                p = parts;
            }
        }
        return p;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!PATH.equals(request.getHttpURI().getPath())) {
            return super.handle(request, response, callback);
        }
        Parts p = parts();
        if (request.getLength() > BodySizeLimitFilter.SWALLOW_BYTES) {
            tooLarge(p, response, callback);                  // the connection will be closed: so be it
        } else if (!HttpMethod.POST.is(request.getMethod())) {
            response.getHeaders().put(ALLOW_POST);
            new Body(p, request, response, callback, () -> problem(p, response, callback,
                    HttpStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "Use POST", List.of())).run();
        } else if (!json(request.getHeaders().get(HttpHeader.CONTENT_TYPE))) {
            new Body(p, request, response, callback, () -> problem(p, response, callback,
                    HttpStatus.UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE", "The body must be application/json",
                    List.of())).run();
        } else {
            new Body(p, request, response, callback, null).run();
        }
        return true;
    }

    /**
     * The body as it arrives, without blocking a thread on a slow client: a declared length is read into one
     * array of that size (the body is typically under 200 bytes), a chunked one in steps up to the limit. A body
     * over the limit is read on and dropped (up to {@link BodySizeLimitFilter#SWALLOW_BYTES}) before its 413: a
     * connection closed with unread bytes is reset, and the client would lose the answer. So is the body of a
     * request refused for its method or media type ({@code refusal}), which is answered once the body is read.
     */
    private final class Body implements Runnable {
        private final Parts p;
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final Runnable refusal;
        private byte[] bytes;
        private int size;
        private boolean tooLarge;
        private long dropped;

        Body(Parts p, Request request, Response response, Callback callback, Runnable refusal) {
            this.p = p;
            this.request = request;
            this.response = response;
            this.callback = callback;
            this.refusal = refusal;
            long declared = request.getLength();
            this.bytes = new byte[refusal != null ? 0
                    : declared >= 0 && declared <= MAX_BODY_BYTES ? (int) declared : 512];
            this.tooLarge = declared > MAX_BODY_BYTES;
        }

        @Override
        public void run() {
            while (true) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    callback.failed(chunk.getFailure());
                    return;
                }
                ByteBuffer data = chunk.getByteBuffer();
                int n = data.remaining();
                if (refusal != null || tooLarge || size + n > MAX_BODY_BYTES) {
                    tooLarge = refusal == null;
                    dropped += n;
                    boolean last = chunk.isLast();
                    chunk.release();
                    if (last || dropped > BodySizeLimitFilter.SWALLOW_BYTES) {
                        if (refusal != null) {
                            refusal.run();
                        } else {
                            tooLarge(p, response, callback);
                        }
                        return;
                    }
                    continue;
                }
                if (size + n > bytes.length) {
                    bytes = Arrays.copyOf(bytes, Math.min(MAX_BODY_BYTES, Math.max(bytes.length * 2, size + n)));
                }
                data.get(bytes, size, n);
                size += n;
                boolean last = chunk.isLast();
                chunk.release();
                if (last) {
                    validate(p, request, response, callback, bytes, size);
                    return;
                }
            }
        }
    }

    private void validate(Parts p, Request request, Response response, Callback callback, byte[] body, int length) {
        ValidateRequest parsed;
        try {
            parsed = p.reader().readValue(body, 0, length);
        } catch (UnrecognizedPropertyException unknown) {
            problem(p, response, callback, HttpStatus.BAD_REQUEST, "UNKNOWN_FIELD", "The request has a field this "
                    + "endpoint does not know", List.of(field(path(unknown), "unknown field")));
            return;
        } catch (JsonMappingException mapping) {
            String field = path(mapping);
            problem(p, response, callback, HttpStatus.BAD_REQUEST,
                    field.isEmpty() ? "MALFORMED_JSON" : "INVALID_REQUEST",
                    field.isEmpty() ? "The request body is not a JSON object" : "A field has the wrong type or format",
                    field.isEmpty() ? List.of() : List.of(field(field, "wrong type or format")));
            return;
        } catch (Exception malformed) {
            String duplicate = StrictJsonConfiguration.duplicateKey(malformed);
            problem(p, response, callback, HttpStatus.BAD_REQUEST, "MALFORMED_JSON", duplicate != null
                            ? "The request body has a key twice" : "The request body is not valid JSON",
                    duplicate != null ? List.of(field(duplicate, "appears more than once")) : List.of());
            return;
        }
        if (parsed == null) {                                  // the body was the JSON literal null
            problem(p, response, callback, HttpStatus.BAD_REQUEST, "MALFORMED_JSON", "The request body is not a JSON "
                    + "object", List.of());
            return;
        }
        List<Map<String, String>> invalid = check(parsed);
        if (!invalid.isEmpty()) {
            problem(p, response, callback, HttpStatus.BAD_REQUEST, "INVALID_REQUEST", "The request has invalid fields",
                    invalid);
            return;
        }
        String ip = Request.getRemoteAddr(request);
        // the context of the commands a validation may send (a first binding, a collision)
        RequestContext.set(new RequestContext(Caller.licenseKeyHolder(), ip,
                truncate(request.getHeaders().get(HttpHeader.USER_AGENT)), correlationId(), null));
        long started = System.nanoTime();
        try {
            LicenseValidator.Validation validation = p.validator().validate(parsed.key(), parsed.fingerprint(),
                    parsed.productId(), ip);
            // the answer is ready before the commit: the thread that completes a whole batch only sends bytes
            byte[] answer = answer(p, validation.outcome());
            Counter counter = p.counted().get(validation.outcome().code());
            validation.recorded().whenComplete((recorded, failure) -> {
                if (failure != null) {
                    // the validation log reports a failed batch once, not once per request
                    log.debug("License validation not recorded", failure);
                    unavailable(p, response, callback);
                } else {
                    counter.increment();
                    send(response, callback, HttpStatus.OK.value(), JSON, answer);
                    p.served().record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                }
            });
        } catch (TooManyRequests limited) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, limited.retryAfterSeconds());
            problem(p, response, callback, HttpStatus.TOO_MANY_REQUESTS, "RATE_LIMITED", limited.getMessage(),
                    List.of());
        } catch (RuntimeException | JsonProcessingException failure) {
            log.error("License validation failed", failure);
            unavailable(p, response, callback);
        } finally {
            RequestContext.clear();
        }
    }

    /**
     * The answer's bytes. A VALID answer depends only on the license's state, which the directory shares as one
     * object until it changes, so its bytes are kept with that object (weakly: they go when it goes).
     */
    private byte[] answer(Parts p, LicenseValidator.Outcome outcome) throws JsonProcessingException {
        if (outcome.code() != ValidationCode.VALID) {
            return p.writer().writeValueAsBytes(summary(outcome));
        }
        byte[] cached = validAnswers.getIfPresent(outcome.license());
        if (cached == null) {
            cached = p.writer().writeValueAsBytes(summary(outcome));
            validAnswers.put(outcome.license(), cached);
        }
        return cached;
    }

    private void unavailable(Parts p, Response response, Callback callback) {
        problem(p, response, callback, HttpStatus.SERVICE_UNAVAILABLE, "VALIDATION_UNAVAILABLE",
                "The validation could not be recorded; retry", List.of());
    }

    private void tooLarge(Parts p, Response response, Callback callback) {
        problem(p, response, callback, HttpStatus.PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE",
                "The request body exceeds " + MAX_BODY_BYTES + " bytes", List.of());
    }

    private static ValidationResponse summary(LicenseValidator.Outcome outcome) {
        LicenseRuntime license = outcome.license();
        LicenseSummary summary = license == null ? null : new LicenseSummary(license.id(),
                outcome.code() == ValidationCode.EXPIRED ? LicenseStatus.EXPIRED.code() : license.status().code(),
                license.expiresAt(), license.planCode(), PlanLimitsView.of(license.limits()));
        return new ValidationResponse(outcome.valid(), outcome.code().name(), outcome.code().detail(), summary);
    }

    private static void send(Response response, Callback callback, int status, HttpField contentType, byte[] body) {
        response.setStatus(status);
        response.getHeaders().add(contentType);            // nothing set it before: put would scan every header
        // one last write of the whole body: Jetty sends it with its Content-Length
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /**
     * Read as strictly as every other body but for one thing: {@code "productId": ""} means no product. License
     * clients ship inside customers' products and cannot all be updated; one that sends an unset product as an empty
     * string kept working when the API elsewhere became strict about it.
     */
    private static ObjectMapper lenientAboutEmptyIds(ObjectMapper json) {
        ObjectMapper lenient = json.copy();
        lenient.coercionConfigFor(LogicalType.OtherScalar)
                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.AsNull);
        return lenient;
    }

    private static void problem(Parts p, Response response, Callback callback, HttpStatus status, String code,
                                String detail, List<Map<String, String>> errors) {
        ProblemDetail problem = Problems.of(status, code, detail);
        problem.setInstance(INSTANCE);
        if (!errors.isEmpty()) {
            problem.setProperty("errors", errors);
        }
        try {
            send(response, callback, status.value(), PROBLEM_JSON, p.json().writeValueAsBytes(problem));
        } catch (JsonProcessingException e) {
            callback.failed(e);
        }
    }

    /** application/json with any parameters (a charset), as Spring's media type check would accept. */
    private static boolean json(String contentType) {
        if (contentType == null) {
            return false;
        }
        if (contentType.regionMatches(true, 0, MediaType.APPLICATION_JSON_VALUE, 0, 16)
                && (contentType.length() == 16 || contentType.charAt(16) == ';' || contentType.charAt(16) == ' ')) {
            return true;
        }
        try {
            return MediaType.APPLICATION_JSON.isCompatibleWith(MediaType.parseMediaType(contentType));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The same rules the OpenAPI document states: key required (≤ 100), fingerprint 1–256 printable ASCII. */
    private static List<Map<String, String>> check(ValidateRequest request) {
        List<Map<String, String>> errors = new ArrayList<>();
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

    /** Correlation ids name requests, they are not secrets: no shared SecureRandom on the hot path. */
    private static String correlationId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return new UUID((random.nextLong() & ~0xF000L) | 0x4000L,
                (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
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
