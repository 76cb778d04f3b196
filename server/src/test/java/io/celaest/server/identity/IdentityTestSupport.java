package io.celaest.server.identity;

import com.fasterxml.jackson.databind.JsonNode;
import io.celaest.server.support.Api;
import io.celaest.server.support.Fixtures;
import io.celaest.server.support.PlatformTest;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Small helpers shared by the Identity end-to-end tests (everything goes through real HTTP). */
abstract class IdentityTestSupport extends PlatformTest {

    static final String ORGS = "/api/v1/organizations";
    static final String PROBLEM_JSON = "application/problem+json";

    static String org(String id) {
        return ORGS + "/" + id;
    }

    static String users(String orgId) {
        return org(orgId) + "/users";
    }

    static String apiKeys(String orgId) {
        return org(orgId) + "/api-keys";
    }

    Api.Response as(String token, String method, String path, Object body, String... headers) {
        return api().call(method, path, token, body, headers);
    }

    /** Asserts the status (showing the whole response when it differs) and returns the JSON body. */
    static JsonNode expect(Api.Response response, int status) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        return response.json();
    }

    /** Asserts an RFC 9457 problem with the given status and stable code. */
    static JsonNode expectProblem(Api.Response response, int status, String code) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.contentType()).as(response.toString()).startsWith(PROBLEM_JSON);
        JsonNode problem = response.json();
        assertThat(problem.path("status").asInt()).as(response.toString()).isEqualTo(status);
        assertThat(problem.path("type").asText()).as(response.toString()).startsWith("https://celaest.io/problems/");
        // Jetty's refusals of a request it could not take in (a malformed path, 431) name no path
        if (problem.has("instance")) {
            assertThat(problem.path("instance").asText()).as("instance: " + response).startsWith("/")
                    .isNotEqualTo("/badMessage");
        } else {
            assertThat(problem.path("code").asText()).as("instance: " + response)
                    .isIn("BAD_REQUEST", "REQUEST_HEADER_FIELDS_TOO_LARGE");
        }
        if (code != null) {
            assertThat(problem.path("code").asText()).as(response.toString()).isEqualTo(code);
        }
        return problem;
    }

    static Map<String, Object> map(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return map;
    }

    static String uniqueEmail(String who) {
        return who + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    }

    Fixtures.Tenant tenant(String plan) {
        return Fixtures.tenant(api(), plan);
    }

    JsonNode addUser(String token, String orgId, String email, String role) {
        return expect(as(token, "POST", users(orgId), map("email", email, "name", "User " + email, "role", role)), 201);
    }

    /** Every item of a cursor-paginated list, following nextCursor to the end. */
    List<JsonNode> all(String token, String path) {
        List<JsonNode> items = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 10_000; page++) {
            String url = path + "?limit=200" + (cursor == null ? "" : "&cursor=" + encode(cursor));
            JsonNode body = expect(as(token, "GET", url, null), 200);
            body.path("items").forEach(items::add);
            if (body.path("nextCursor").isNull() || body.path("nextCursor").isMissingNode()) {
                return items;
            }
            cursor = body.path("nextCursor").asText();
        }
        throw new AssertionError("pagination of " + path + " never ended");
    }

    static JsonNode byId(List<JsonNode> items, String id) {
        return items.stream().filter(i -> id.equals(i.path("id").asText())).findFirst().orElse(null);
    }

    static Set<String> ids(List<JsonNode> items) {
        Set<String> ids = new HashSet<>();
        items.forEach(i -> ids.add(i.path("id").asText()));
        return ids;
    }

    static Set<String> fieldsOf(JsonNode problem) {
        Set<String> fields = new HashSet<>();
        problem.path("errors").forEach(e -> fields.add(e.path("field").asText()));
        return fields;
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
