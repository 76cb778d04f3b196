package io.celaest.server.platform.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

import java.nio.ByteBuffer;

/**
 * The errors Jetty answers itself, before any handler or servlet sees the request (an ambiguous or illegal path, a
 * header block over the limit, an unparsable request line), as RFC 9457 problems like every other error, instead
 * of Jetty's HTML page.
 */
public class ProblemErrorHandler extends ErrorHandler {

    private static final HttpField PROBLEM_JSON = new HttpField(HttpHeader.CONTENT_TYPE,
            MediaType.APPLICATION_PROBLEM_JSON_VALUE);

    private final ObjectMapper json;

    public ProblemErrorHandler(ObjectMapper json) {
        this.json = json;
    }

    /** Jetty writes a body only for GET, POST and HEAD errors by default; a problem document goes with every one. */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        byte[] body = body(code, message, path(request));
        response.getHeaders().put(PROBLEM_JSON);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    @Override
    public ByteBuffer badMessageError(int code, String message, HttpFields.Mutable fields) {
        fields.put(PROBLEM_JSON);
        return ByteBuffer.wrap(body(code, message, null));      // no request to name
    }

    /** The request's path as it came (an ambiguous one too), when Jetty parsed that far. */
    private static String path(Request request) {
        try {
            String path = request.getHttpURI() == null ? null : request.getHttpURI().getPath();
            // "/badMessage" is Jetty's stand-in for a request it could not take in: not the client's path
            return path == null || path.isEmpty() || path.equals("/badMessage") ? null : path;
        } catch (RuntimeException unreadable) {
            return null;
        }
    }

    private byte[] body(int code, String message, String path) {
        HttpStatus status = HttpStatus.resolve(code);
        if (status == null) {
            status = code >= 500 ? HttpStatus.INTERNAL_SERVER_ERROR : HttpStatus.BAD_REQUEST;
        }
        // Jetty's message for a 5xx may be an exception's text: never shown to clients
        ProblemDetail problem = Problems.of(status, status.name(),
                message == null || message.isBlank() || code >= 500 ? status.getReasonPhrase() : message);
        if (path != null) {
            try {
                problem.setInstance(java.net.URI.create(path));
            } catch (IllegalArgumentException notAUri) {
                // a path Jetty refused may not even be a URI reference: the problem goes without instance
            }
        }
        try {
            return json.writeValueAsBytes(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A problem document could not be written", e);
        }
    }

    /**
     * Requests refused before any handler: TRACE (it would echo the request, bearer token included) with 405 and
     * {@code Allow}, and a query string whose percent-encoding is not UTF-8 with 400 (Jetty throws when a servlet
     * or filter first reads a parameter, which would otherwise surface as a 500).
     */
    public static class RequestGuard extends Handler.Wrapper {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            if (HttpMethod.TRACE.is(request.getMethod())) {
                response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
                Response.writeError(request, response, callback, HttpStatus.METHOD_NOT_ALLOWED.value(),
                        "TRACE is not supported");
                return true;
            }
            String query = request.getHttpURI().getQuery();
            String path = request.getHttpURI().getPath();
            if (!acceptsJson(request, path)) {
                Response.writeError(request, response, callback, HttpStatus.NOT_ACCEPTABLE.value(),
                        "This API answers application/json (problems application/problem+json); the Accept header "
                                + "allows neither");
                return true;
            }
            // no text this API takes may hold NUL, which PostgreSQL refuses in any text value (a 500 otherwise)
            if ((query != null && query.contains("%00")) || (path != null && path.contains("%00"))) {
                Response.writeError(request, response, callback, HttpStatus.BAD_REQUEST.value(),
                        "The request's path or query string holds a NUL character (%00)");
                return true;
            }
            if (query != null && query.indexOf('%') >= 0) {
                try {
                    Request.extractQueryParameters(request);
                } catch (RuntimeException undecodable) {
                    Response.writeError(request, response, callback, HttpStatus.BAD_REQUEST.value(),
                            "The query string is not valid UTF-8 percent-encoding");
                    return true;
                }
            }
            return super.handle(request, response, callback);
        }

        /**
         * Whether a command (POST, PUT, PATCH, DELETE under /api/) may be answered in JSON. Spring MVC checks Accept
         * only when it writes the answer, after the command ran: a license issued that way answered 406 and its key,
         * shown only in that answer, was lost. License validation answers JSON whatever the client asks.
         */
        /** LicenseValidationHandler's path: license clients shipped in products are never refused for Accept. */
        private static final String LICENSE_VALIDATION = "/api/v1/licenses/validate";

        private static boolean acceptsJson(Request request, String path) {
            String accept = request.getHeaders().get(HttpHeader.ACCEPT);
            if (accept == null || path == null || !path.startsWith("/api/") || HttpMethod.GET.is(request.getMethod())
                    || HttpMethod.HEAD.is(request.getMethod()) || HttpMethod.OPTIONS.is(request.getMethod())
                    || path.equals(LICENSE_VALIDATION)) {
                return true;
            }
            try {
                for (MediaType range : MediaType.parseMediaTypes(accept)) {
                    if (range.getQualityValue() > 0
                            && (range.isCompatibleWith(MediaType.APPLICATION_JSON)
                            || range.isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))) {
                        return true;
                    }
                }
                return false;
            } catch (IllegalArgumentException unparsable) {
                return true;                                     // Spring MVC answers that one, before the command
            }
        }
    }
}
