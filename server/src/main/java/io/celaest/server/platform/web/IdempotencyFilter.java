package io.celaest.server.platform.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.celaest.api.identity.UserErased;
import io.celaest.api.platform.Caller;
import io.celaest.api.platform.MetadataKeys;
import io.celaest.server.platform.security.ApiKeyAuthenticator;
import io.celaest.server.platform.security.AuthenticationFilter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * {@code Idempotency-Key} on POST, with Stripe's semantics: the first request with a key runs and its
 * response (any status below 500) is stored; a retry with the same key and the same request gets the stored
 * response back ({@code Idempotent-Replayed: true}); the same key with another request is 422; a retry
 * while the first is still running is 409. Keys are scoped per caller and kept for 24 hours. A request cut off by
 * a crash is settled by its first retry after {@code celaest.idempotency.abandoned-after} (see
 * {@link #releasedAfterCrash}).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 30)
@ProcessingGroup(ApiKeyAuthenticator.LOCAL_CACHES)   // stored answers are a cache too: erasures reach them at once
public class IdempotencyFilter extends OncePerRequestFilter {

    public static final String HEADER = "Idempotency-Key";

    private record Stored(byte[] requestHash, Integer status, String contentType, byte[] body, String location) {
    }

    private final JdbcClient jdbc;
    private final ObjectMapper json;
    private final ObjectWriter canonicalJson;
    private final Duration abandonedAfter;

    public IdempotencyFilter(JdbcClient jdbc, ObjectMapper json,
                             @Value("${celaest.idempotency.abandoned-after:2m}") Duration abandonedAfter) {
        this.jdbc = jdbc;
        this.abandonedAfter = abandonedAfter;
        this.json = json;
        this.canonicalJson = json.writer().with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"POST".equals(request.getMethod()) || request.getHeader(HEADER) == null
                || !request.getRequestURI().startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String key = request.getHeader(HEADER);
        if (key.isBlank() || key.length() > 255) {
            Problems.write(request, response, json, Problems.of(HttpStatus.BAD_REQUEST, "INVALID_IDEMPOTENCY_KEY",
                    "Idempotency-Key must be 1 to 255 characters"));
            return;
        }
        Caller caller = (Caller) request.getAttribute(AuthenticationFilter.CALLER_ATTRIBUTE);
        byte[] body;
        try {
            body = request.getInputStream().readAllBytes();
        } catch (BodySizeLimitFilter.PayloadTooLarge e) {
            Problems.write(request, response, json, Problems.of(HttpStatus.PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE", e.getMessage()));
            return;
        }
        byte[] requestHash = hash(request.getRequestURI(), body);
        boolean first = claim(caller, key, requestHash);
        if (!first && releasedAfterCrash(caller, key, requestHash, request.getRequestURI())) {
            first = claim(caller, key, requestHash);
        }
        if (!first) {
            replay(caller, key, requestHash, request, response);
            return;
        }
        ContentCachingResponseWrapper recorded = new ContentCachingResponseWrapper(response);
        boolean stored = false;
        try {
            chain.doFilter(new CachedBodyRequest(request, body), recorded);
            if (recorded.getStatus() < 500) {
                jdbc.sql("""
                                UPDATE idempotency_keys SET status_code = ?, content_type = ?, response_body = ?,
                                       location = ?, completed_at = now()
                                WHERE caller_id = ? AND idempotency_key = ?""")
                        .params(recorded.getStatus(), recorded.getContentType(), storable(recorded),
                                recorded.getHeader(HttpHeaders.LOCATION), caller.actorId(), key)
                        .update();
                stored = true;
            }
        } finally {
            if (!stored) {
                // A failure on our side is not an answer: let the client retry with the same key.
                jdbc.sql("DELETE FROM idempotency_keys WHERE caller_id = ? AND idempotency_key = ?")
                        .params(caller.actorId(), key).update();
            }
            recorded.copyBodyToResponse();
        }
    }

    /**
     * The answer as kept for replays: a secret shown once (the {@code key} of a new API key or license; only its
     * hash is stored anywhere) is not kept, so a replay answers with {@code key} null.
     */
    private byte[] storable(ContentCachingResponseWrapper recorded) {
        byte[] body = recorded.getContentAsByteArray();
        if (recorded.getStatus() >= 300 || body.length == 0 || recorded.getContentType() == null
                || !MediaType.APPLICATION_JSON.isCompatibleWith(MediaType.parseMediaType(recorded.getContentType()))) {
            return body;
        }
        try {
            if (json.readTree(body) instanceof ObjectNode answer && answer.path("key").isTextual()) {
                answer.putNull("key");
                return json.writeValueAsBytes(answer);
            }
        } catch (IOException notJson) {
            // kept as it is
        }
        return body;
    }

    /**
     * An erased user's stored creation answer (their email and name) is dropped, keeping its status and Location:
     * a retry still learns the user was created, and does not create them again.
     */
    @EventHandler
    void on(UserErased event) {
        jdbc.sql("""
                        UPDATE idempotency_keys SET response_body = NULL, content_type = NULL
                        WHERE location LIKE '%/users/' || ?""")
                .param(event.userId().toString())
                .update();
    }

    private void replay(Caller caller, String key, byte[] requestHash, HttpServletRequest request,
                        HttpServletResponse response) throws IOException {
        Optional<Stored> stored = jdbc.sql("""
                        SELECT request_hash, status_code, content_type, response_body, location
                        FROM idempotency_keys WHERE caller_id = ? AND idempotency_key = ?""")
                .params(caller.actorId(), key)
                .query((rs, n) -> new Stored(rs.getBytes(1), (Integer) rs.getObject(2), rs.getString(3),
                        rs.getBytes(4), rs.getString(5)))
                .optional();
        if (stored.isEmpty()) {
            Problems.write(request, response, json, Problems.of(HttpStatus.CONFLICT, "IDEMPOTENCY_KEY_IN_USE",
                    "A request with this Idempotency-Key just failed or is being retried; retry it"));
        } else if (!Arrays.equals(stored.get().requestHash(), requestHash)) {
            Problems.write(request, response, json, Problems.of(HttpStatus.UNPROCESSABLE_ENTITY, "IDEMPOTENCY_KEY_REUSED",
                    "This Idempotency-Key was used with a different request"));
        } else if (stored.get().status() == null) {
            Problems.write(request, response, json, Problems.of(HttpStatus.CONFLICT, "IDEMPOTENCY_KEY_IN_USE",
                    "A request with this Idempotency-Key is still being processed"));
        } else {
            response.setStatus(stored.get().status());
            response.setHeader("Idempotent-Replayed", "true");
            if (stored.get().contentType() != null) {
                response.setContentType(stored.get().contentType());
            }
            if (stored.get().location() != null) {
                response.setHeader(HttpHeaders.LOCATION, stored.get().location());
            }
            if (stored.get().body() != null) {
                response.getOutputStream().write(stored.get().body());
            }
        }
    }

    private boolean claim(Caller caller, String key, byte[] requestHash) {
        return jdbc.sql("""
                        INSERT INTO idempotency_keys (caller_id, idempotency_key, request_hash, event_head)
                        VALUES (?, ?, ?, (SELECT coalesce(max(global_index), 0) FROM domain_event_entry))
                        ON CONFLICT DO NOTHING""")
                .params(caller.actorId(), key, requestHash)
                .update() == 1;
    }

    /**
     * A request that never completed (its node stopped mid-way) holds its key as "in progress" forever: once it is
     * older than any request can run ({@code abandonedAfter}), a retry settles it from the event log. Events
     * carrying this caller's key mean it was applied and only its answer was lost: the key then answers 409
     * {@code IDEMPOTENT_REQUEST_INTERRUPTED} naming the resource, stored for later retries (never applied twice).
     * No such event: it never took effect, and the key is released for this retry to run. Returns true when
     * released; false when the key is not abandoned or was settled as applied (its stored answer is then replayed).
     */
    private boolean releasedAfterCrash(Caller caller, String key, byte[] requestHash, String path)
            throws IOException {
        Optional<Long> head = jdbc.sql("""
                        SELECT event_head FROM idempotency_keys
                        WHERE caller_id = ? AND idempotency_key = ? AND request_hash = ? AND status_code IS NULL
                          AND event_head IS NOT NULL AND created_at < now() - make_interval(secs => ?)""")
                .params(caller.actorId(), key, requestHash, (double) abandonedAfter.toSeconds())
                .query(Long.class)
                .optional();
        if (head.isEmpty()) {
            return false;
        }
        String needleKey = "\"" + MetadataKeys.IDEMPOTENCY_KEY + "\":" + json.writeValueAsString(key);
        String needleActor = "\"" + MetadataKeys.ACTOR_ID + "\":" + json.writeValueAsString(caller.actorId());
        Optional<String> applied = jdbc.sql("""
                        SELECT aggregate_identifier FROM domain_event_entry
                        WHERE global_index > ? AND strpos(convert_from(meta_data, 'UTF8'), ?) > 0
                          AND strpos(convert_from(meta_data, 'UTF8'), ?) > 0
                        ORDER BY global_index LIMIT 1""")
                .params(head.get(), needleKey, needleActor)
                .query(String.class)
                .optional();
        if (applied.isEmpty()) {
            return jdbc.sql("""
                            DELETE FROM idempotency_keys
                            WHERE caller_id = ? AND idempotency_key = ? AND status_code IS NULL""")
                    .params(caller.actorId(), key).update() == 1;
        }
        ProblemDetail interrupted = Problems.of(HttpStatus.CONFLICT, "IDEMPOTENT_REQUEST_INTERRUPTED",
                "This request was applied, but the server stopped before answering it; read the resource instead");
        interrupted.setProperty("resourceId", applied.get());
        interrupted.setInstance(java.net.URI.create(path));
        jdbc.sql("""
                        UPDATE idempotency_keys SET status_code = 409, content_type = ?, response_body = ?,
                               completed_at = now()
                        WHERE caller_id = ? AND idempotency_key = ? AND status_code IS NULL""")
                .params(MediaType.APPLICATION_PROBLEM_JSON_VALUE, json.writeValueAsBytes(interrupted),
                        caller.actorId(), key)
                .update();
        return false;
    }

    @Scheduled(fixedDelayString = "PT10M")
    void purgeExpired() {
        jdbc.sql("DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'").update();
    }

    /**
     * What a retry must repeat: the path and the body, a JSON body with its keys sorted and without spacing, so a
     * client that serialises the same request again differently still matches (Stripe compares parameters, not
     * bytes). A body that is not valid JSON is compared as it is.
     */
    private byte[] hash(String path, byte[] body) {
        byte[] compared;
        try {
            compared = canonicalJson.writeValueAsBytes(json.readValue(body, Object.class));
        } catch (IOException notJson) {
            compared = body;
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(path.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(compared);
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class CachedBodyRequest extends HttpServletRequestWrapper {
        private final byte[] body;

        CachedBodyRequest(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException();
                }
            };
        }
    }
}
