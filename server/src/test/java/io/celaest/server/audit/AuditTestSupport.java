package io.celaest.server.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.celaest.server.support.Api;
import io.celaest.server.support.Fixtures;
import io.celaest.server.support.PlatformTest;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Helpers of the audit end-to-end tests: everything through real HTTP, audit entries awaited, never slept for. */
abstract class AuditTestSupport extends PlatformTest {

    static final String AUDIT_LOGS = "/api/v1/audit-logs";

    Api.Response as(String token, String method, String path, Object body, String... headers) {
        return api().call(method, path, token, body, headers);
    }

    static JsonNode expect(Api.Response response, int status) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        return response.json();
    }

    /** The audit entries matching the query string, every page, as the given caller sees them. */
    List<JsonNode> entries(String token, String query) {
        List<JsonNode> items = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 1000; page++) {
            String url = AUDIT_LOGS + "?limit=200" + (query.isEmpty() ? "" : "&" + query)
                    + (cursor == null ? "" : "&cursor=" + encode(cursor));
            JsonNode body = expect(as(token, "GET", url, null), 200);
            body.path("items").forEach(items::add);
            if (body.path("nextCursor").isNull()) {
                return items;
            }
            cursor = body.path("nextCursor").asText();
        }
        throw new AssertionError("pagination never ended");
    }

    /** Waits until an entry matching the predicate is visible to the caller under the query, and returns it. */
    JsonNode awaitEntry(String token, String query, Predicate<JsonNode> matching) {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> entries(token, query).stream().filter(matching).findFirst().orElse(null),
                        found -> found != null);
    }

    Fixtures.Tenant tenant() {
        return Fixtures.tenant(api(), "enterprise");
    }

    static Map<String, Object> map(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return map;
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
