package io.celaest.server.identity;

import com.fasterxml.jackson.databind.JsonNode;
import io.celaest.server.support.Api;
import io.celaest.server.support.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input of every kind answers a 4xx RFC 9457 problem naming the offending field, never a 500.
 */
class BadInputTest extends IdentityTestSupport {

    private static final int MIB = 1024 * 1024;

    /** One bad request: what it is, how to send it, and the answer it must get. */
    record Case(String name, Supplier<Api.Response> send, int status, String field, String code) {
    }

    private Fixtures.Tenant tenant;
    private String userId;

    private Fixtures.Tenant tenant() {
        if (tenant == null) {
            tenant = tenant("starter");
            userId = addUser(tenant.key(), tenant.id(), uniqueEmail("target"), "member").path("id").asText();
        }
        return tenant;
    }

    private static Map<String, Object> validOrganization() {
        return map("name", "Valid", "slug", Fixtures.uniqueSlug("valid"), "plan", "starter");
    }

    private static Map<String, Object> organizationWith(String field, Object value) {
        Map<String, Object> body = validOrganization();
        body.put(field, value);
        return body;
    }

    private static Map<String, Object> validUser() {
        return map("email", uniqueEmail("valid"), "name", "Valid", "role", "member");
    }

    private static Map<String, Object> userWith(String field, Object value) {
        Map<String, Object> body = validUser();
        body.put(field, value);
        return body;
    }

    private List<Case> cases() {
        Fixtures.Tenant t = tenant();
        String key = t.key();
        String orgPath = org(t.id());
        String usersPath = users(t.id());
        String userPath = usersPath + "/" + userId;
        String unknownOrg = org(UUID.randomUUID().toString());
        List<Case> cases = new ArrayList<>();

        // malformed and mistyped bodies
        cases.add(new Case("malformed JSON", () -> asAdmin("POST", ORGS, "{\"name\": \"x\","), 400, null, "MALFORMED_JSON"));
        cases.add(new Case("malformed JSON on users", () -> as(key, "POST", usersPath, "{\"email\" \"x\"}"), 400, null,
                "MALFORMED_JSON"));
        cases.add(new Case("JSON array instead of object", () -> asAdmin("POST", ORGS, "[]"), 400, null, null));
        cases.add(new Case("empty body", () -> api().raw("POST", ORGS, ADMIN_KEY, new byte[0], "application/json"),
                400, null, null));
        cases.add(new Case("maxUsers a string", () -> asAdmin("POST", ORGS, organizationWith("maxUsers", "abc")), 400,
                "maxUsers", null));
        cases.add(new Case("maxUsers a fraction", () -> asAdmin("POST", ORGS, organizationWith("maxUsers", 1.5)), 400,
                "maxUsers", null));
        cases.add(new Case("maxApiCallsPerMonth an object",
                () -> asAdmin("POST", ORGS, organizationWith("maxApiCallsPerMonth", Map.of("a", 1))), 400,
                "maxApiCallsPerMonth", null));
        cases.add(new Case("name an object", () -> asAdmin("POST", ORGS, organizationWith("name", Map.of("a", 1))), 400,
                "name", null));
        cases.add(new Case("scopes a string", () -> as(key, "POST", usersPath, userWith("scopes", "users:read")), 400,
                "scopes", null));
        cases.add(new Case("settings an array", () -> as(key, "PATCH", orgPath, map("settings", List.of(1, 2))), 400,
                "settings", null));
        cases.add(new Case("maxUsers beyond an int", () -> asAdmin("POST", ORGS,
                organizationWith("maxUsers", 99_999_999_999L)), 400, "maxUsers", null));
        cases.add(new Case("maxApiCallsPerMonth beyond a long", () -> asAdmin("POST", ORGS,
                json(organizationWith("maxApiCallsPerMonth", 1)).replace("\"maxApiCallsPerMonth\":1",
                        "\"maxApiCallsPerMonth\":99999999999999999999999")), 400, "maxApiCallsPerMonth", null));
        cases.add(new Case("settings nested too deep", () -> as(key, "PATCH", orgPath,
                "{\"settings\":" + "{\"a\":".repeat(2000) + "1" + "}".repeat(2000) + "}"), 400, null, null));
        cases.add(new Case("a key twice", () -> asAdmin("POST", ORGS,
                json(validOrganization()).replace("{", "{\"name\":\"First\",")), 400, "name", "MALFORMED_JSON"));
        cases.add(new Case("a key twice, nested", () -> as(key, "PATCH", orgPath,
                "{\"settings\":{\"theme\":\"dark\",\"theme\":\"light\"}}"), 400, "settings.theme", "MALFORMED_JSON"));
        cases.add(new Case("a key twice in a request that would fail anyway", () -> asAdmin("POST",
                unknownOrg + "/suspend", "{\"reason\":\"x\",\"reason\":\"y\"}"), 400, "reason", "MALFORMED_JSON"));
        cases.add(new Case("content after the JSON value", () -> as(key, "PATCH", orgPath, "{\"name\":\"Trail\"} ]]]x"),
                400, null, "MALFORMED_JSON"));
        cases.add(new Case("maxUsers a numeric string", () -> asAdmin("POST", ORGS, organizationWith("maxUsers", "5")),
                400, "maxUsers", null));
        cases.add(new Case("maxUsers blank", () -> asAdmin("POST", ORGS, organizationWith("maxUsers", " ")), 400,
                "maxUsers", null));
        cases.add(new Case("maxUsers empty", () -> asAdmin("POST", orgPath + "/limits", map("maxUsers", "")), 400,
                "maxUsers", null));
        cases.add(new Case("limits maxUsers a string",
                () -> asAdmin("POST", orgPath + "/limits", map("maxUsers", "ten")), 400, "maxUsers", null));

        // missing, unknown and invalid fields
        cases.add(new Case("missing slug", () -> asAdmin("POST", ORGS, map("name", "No slug", "plan", "starter")), 400,
                "slug", "INVALID_REQUEST"));
        cases.add(new Case("missing plan", () -> asAdmin("POST", ORGS,
                map("name", "No plan", "slug", Fixtures.uniqueSlug("np"))), 400, "plan", "INVALID_REQUEST"));
        cases.add(new Case("missing role", () -> as(key, "POST", usersPath, map("email", uniqueEmail("r"), "name", "R")),
                400, "role", null));
        cases.add(new Case("missing api key scopes", () -> as(key, "POST", apiKeys(t.id()), map("name", "k")), 400,
                "scopes", null));
        cases.add(new Case("empty api key scopes", () -> as(key, "POST", apiKeys(t.id()),
                map("name", "k", "scopes", List.of())), 400, "scopes", null));
        cases.add(new Case("unknown field", () -> asAdmin("POST", ORGS, organizationWith("colour", "red")), 400, "colour",
                "UNKNOWN_FIELD"));
        cases.add(new Case("unknown field on users", () -> as(key, "POST", usersPath, userWith("password", "x")), 400,
                "password", "UNKNOWN_FIELD"));
        cases.add(new Case("unknown field on PATCH", () -> as(key, "PATCH", orgPath, map("status", "active")), 400,
                "status", "UNKNOWN_FIELD"));
        cases.add(new Case("name of 201 characters", () -> asAdmin("POST", ORGS, organizationWith("name", "n".repeat(201))),
                400, "name", "INVALID_REQUEST"));
        cases.add(new Case("blank name", () -> asAdmin("POST", ORGS, organizationWith("name", "   ")), 400, "name", null));
        cases.add(new Case("PATCH name of 201 characters", () -> as(key, "PATCH", orgPath, map("name", "n".repeat(201))),
                400, "name", null));
        cases.add(new Case("PATCH blank name", () -> as(key, "PATCH", orgPath, map("name", "  ")), 400, "name", null));
        cases.add(new Case("user name of 201 characters", () -> as(key, "POST", usersPath,
                userWith("name", "n".repeat(201))), 400, "name", null));
        cases.add(new Case("negative limit", () -> asAdmin("POST", ORGS, organizationWith("maxUsers", -2)), 400,
                "maxUsers", null));
        cases.add(new Case("negative limit override", () -> asAdmin("POST", orgPath + "/limits",
                map("maxApiCallsPerMonth", -5)), 400, "maxApiCallsPerMonth", null));
        cases.add(new Case("suspension reason of 501 characters", () -> asAdmin("POST", orgPath + "/suspend",
                map("reason", "r".repeat(501))), 400, "reason", null));
        cases.add(new Case("expiresAt not an instant", () -> as(key, "POST", apiKeys(t.id()),
                map("name", "k", "scopes", List.of("users:read"), "expiresAt", "tomorrow")), 400, "expiresAt", null));
        cases.add(new Case("expiresAt a number", () -> as(key, "POST", apiKeys(t.id()),
                map("name", "k", "scopes", List.of("users:read"), "expiresAt", 2_147_483_648L)), 400, "expiresAt", null));
        cases.add(new Case("expiresAt beyond year 9999", () -> as(key, "POST", apiKeys(t.id()),
                map("name", "k", "scopes", List.of("users:read"), "expiresAt", "+999999999-12-31T23:59:59Z")), 400,
                "expiresAt", null));
        cases.add(new Case("expiresAt without an offset", () -> as(key, "POST", apiKeys(t.id()),
                map("name", "k", "scopes", List.of("users:read"), "expiresAt", "2099-01-01T00:00:00")), 400,
                "expiresAt", null));
        cases.add(new Case("expiresAt in the past", () -> as(key, "POST", apiKeys(t.id()),
                map("name", "k", "scopes", List.of("users:read"), "expiresAt", "2001-01-01T00:00:00Z")), 400,
                "expiresAt", null));

        // path variables
        cases.add(new Case("bad UUID in path", () -> asAdmin("GET", ORGS + "/not-a-uuid", null), 400, "organizationId",
                "INVALID_REQUEST"));
        cases.add(new Case("bad organization UUID on PATCH", () -> asAdmin("PATCH", ORGS + "/123", map("name", "x")), 400,
                "organizationId", null));
        cases.add(new Case("bad user UUID", () -> as(key, "PATCH", usersPath + "/not-a-uuid", map("name", "x")), 400,
                "userId", null));
        cases.add(new Case("bad key UUID", () -> as(key, "DELETE", apiKeys(t.id()) + "/zzz", null), 400, "keyId", null));

        // enums, emails, slugs
        cases.add(new Case("plan gold", () -> asAdmin("POST", ORGS, organizationWith("plan", "gold")), 400, "plan", null));
        cases.add(new Case("plan change to gold", () -> asAdmin("POST", orgPath + "/plan", map("plan", "gold")), 400,
                "plan", null));
        cases.add(new Case("plan in upper case", () -> asAdmin("POST", ORGS, organizationWith("plan", "STARTER")), 400,
                "plan", null));
        cases.add(new Case("role king", () -> as(key, "POST", usersPath, userWith("role", "king")), 400, "role", null));
        cases.add(new Case("PATCH role king", () -> as(key, "PATCH", userPath, map("role", "king")), 400, "role", null));
        cases.add(new Case("invalid email", () -> as(key, "POST", usersPath, userWith("email", "not-an-email")), 400,
                "email", null));
        cases.add(new Case("email of 321 characters", () -> as(key, "POST", usersPath,
                userWith("email", "e".repeat(309) + "@example.com")), 400, "email", null));
        cases.add(new Case("slug with upper case and a space", () -> asAdmin("POST", ORGS, organizationWith("slug", "Ac me")),
                400, "slug", null));
        cases.add(new Case("slug with a leading hyphen", () -> asAdmin("POST", ORGS, organizationWith("slug", "-acme")),
                400, "slug", null));
        cases.add(new Case("slug of 64 characters", () -> asAdmin("POST", ORGS, organizationWith("slug", "a".repeat(64))),
                400, "slug", null));
        cases.add(new Case("empty scope in a list", () -> as(key, "POST", usersPath, userWith("scopes", List.of(""))), 400,
                "scopes[0]", null));

        cases.add(new Case("PATCH with nothing to change", () -> as(key, "PATCH", orgPath, "{}"), 422, null,
                "NOTHING_TO_UPDATE"));
        cases.add(new Case("PATCH unknown organization with nothing to change", () -> asAdmin("PATCH", unknownOrg, "{}"),
                422, null, "NOTHING_TO_UPDATE"));

        // paging and filter parameters
        cases.add(new Case("expiringBefore an epoch number", () -> as(key, "GET", orgPath
                + "/licenses?expiringBefore=99999999999", null), 400, "expiringBefore", null));
        cases.add(new Case("expiringBefore without an offset", () -> as(key, "GET", orgPath
                + "/licenses?expiringBefore=2030-01-01T00:00:00", null), 400, "expiringBefore", null));
        cases.add(new Case("limit=0", () -> asAdmin("GET", ORGS + "?limit=0", null), 400, "limit", null));
        cases.add(new Case("limit=201", () -> asAdmin("GET", ORGS + "?limit=201", null), 400, "limit", null));
        cases.add(new Case("limit=0 on users", () -> as(key, "GET", usersPath + "?limit=0", null), 400, "limit", null));
        cases.add(new Case("limit=201 on api keys", () -> as(key, "GET", apiKeys(t.id()) + "?limit=201", null), 400,
                "limit", null));
        cases.add(new Case("limit not a number", () -> asAdmin("GET", ORGS + "?limit=ten", null), 400, "limit", null));
        cases.add(new Case("garbage cursor", () -> asAdmin("GET", ORGS + "?cursor=garbage", null), 400, "cursor", null));
        cases.add(new Case("non-base64 cursor", () -> asAdmin("GET", ORGS + "?cursor=%21%21%21", null), 400, "cursor",
                null));
        cases.add(new Case("garbage cursor on users", () -> as(key, "GET", usersPath + "?cursor=bm9wZQ", null), 400,
                "cursor", null));
        // well formed, but beyond PostgreSQL's timestamps (a 500 from the query before)
        String farCursor = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("99999999999999:0:" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8));
        cases.add(new Case("cursor past year 9999", () -> asAdmin("GET", ORGS + "?cursor=" + farCursor, null), 400,
                "cursor", null));
        cases.add(new Case("cursor before year 1 on users", () -> as(key, "GET", usersPath + "?cursor="
                + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(("-99999999999:0:"
                + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8)), null), 400, "cursor", null));
        cases.add(new Case("cursor of 201 characters", () -> as(key, "GET", apiKeys(t.id()) + "?cursor=" + "A".repeat(201),
                null), 400, "cursor", null));

        // size
        cases.add(new Case("body over 1 MiB with Content-Length", () -> api().raw("POST", ORGS, ADMIN_KEY,
                oversizedOrganization(), "application/json"), 413, null, "PAYLOAD_TOO_LARGE"));
        cases.add(new Case("body over 1 MiB chunked", () -> chunked(ORGS, ADMIN_KEY, oversizedOrganization()), 413, null,
                "PAYLOAD_TOO_LARGE"));
        cases.add(new Case("body over 1 MiB chunked with an Idempotency-Key", () -> chunked(usersPath, key,
                oversizedUser(), "Idempotency-Key", UUID.randomUUID().toString()), 413, null, "PAYLOAD_TOO_LARGE"));
        cases.add(new Case("body over 1 MiB chunked on users", () -> chunked(usersPath, key, oversizedUser()), 413, null,
                "PAYLOAD_TOO_LARGE"));

        // authentication and media type
        cases.add(new Case("no token", () -> api().call("GET", orgPath, null, null), 401, null, "UNAUTHENTICATED"));
        cases.add(new Case("wrong token", () -> api().call("GET", orgPath, "cel_wrong_" + UUID.randomUUID(), null), 401,
                null, "UNAUTHENTICATED"));
        cases.add(new Case("token that is no key at all", () -> api().call("GET", orgPath, "hunter2", null), 401, null,
                "UNAUTHENTICATED"));
        cases.add(new Case("basic instead of bearer", () -> api().call("GET", orgPath, null, null,
                "Authorization", "Basic YWRtaW46YWRtaW4="), 401, null, "UNAUTHENTICATED"));
        cases.add(new Case("overlong token", () -> api().call("GET", orgPath, "cel_" + "x".repeat(5000), null), 401,
                null, "UNAUTHENTICATED"));
        cases.add(new Case("text/plain", () -> api().raw("POST", ORGS, ADMIN_KEY,
                "{\"name\":\"x\"}".getBytes(StandardCharsets.UTF_8), "text/plain"), 415, null, null));
        cases.add(new Case("text/plain on users", () -> api().raw("POST", usersPath, key,
                "email=a@b.c".getBytes(StandardCharsets.UTF_8), "text/plain"), 415, null, null));

        // routes, and what Jetty answers before any handler
        cases.add(new Case("TRACE", () -> asAdmin("TRACE", orgPath, null), 405, null, null));
        cases.add(new Case("an ambiguous path segment", () -> asAdmin("GET", ORGS + "/%2e%2e/users", null), 400, null,
                null));
        cases.add(new Case("an encoded NUL in the path", () -> asAdmin("GET", ORGS + "/%00/users", null), 400, null,
                null));
        cases.add(new Case("a header block over the limit", () -> api().call("GET", orgPath, key, null,
                "X-Padding", "p".repeat(20_000)), 431, null, null));
        cases.add(new Case("unknown path", () -> asAdmin("GET", "/api/v1/nothing-here", null), 404, null, null));
        cases.add(new Case("unsupported method", () -> asAdmin("PUT", orgPath, map("name", "x")), 405, null, null));
        cases.add(new Case("unacceptable Accept", () -> api().call("GET", orgPath, key, null, "Accept", "application/xml"),
                406, null, null));

        // unknown organizations
        cases.add(new Case("GET unknown organization", () -> asAdmin("GET", unknownOrg, null), 404, null,
                "ORGANIZATION_NOT_FOUND"));
        cases.add(new Case("PATCH unknown organization", () -> asAdmin("PATCH", unknownOrg, map("name", "Ghost")), 404,
                null, null));
        cases.add(new Case("PATCH settings of unknown organization", () -> asAdmin("PATCH", unknownOrg,
                map("settings", Map.of("a", 1))), 404, null, null));
        cases.add(new Case("add user to unknown organization", () -> asAdmin("POST", unknownOrg + "/users", validUser()),
                404, null, null));
        cases.add(new Case("plan of unknown organization", () -> asAdmin("POST", unknownOrg + "/plan",
                map("plan", "enterprise")), 404, null, null));
        cases.add(new Case("limits of unknown organization", () -> asAdmin("POST", unknownOrg + "/limits",
                map("maxUsers", 3)), 404, null, null));
        cases.add(new Case("onboarding of unknown organization", () -> asAdmin("POST", unknownOrg + "/onboarding/complete",
                null), 404, null, null));
        cases.add(new Case("suspend unknown organization", () -> asAdmin("POST", unknownOrg + "/suspend", null), 404,
                null, null));
        cases.add(new Case("reactivate unknown organization", () -> asAdmin("POST", unknownOrg + "/reactivate", null),
                404, null, null));
        cases.add(new Case("delete unknown organization", () -> asAdmin("DELETE", unknownOrg, null), 404, null, null));
        cases.add(new Case("users of unknown organization", () -> asAdmin("GET", unknownOrg + "/users", null), 404, null,
                "ORGANIZATION_NOT_FOUND"));
        cases.add(new Case("licenses of unknown organization", () -> asAdmin("GET", unknownOrg + "/licenses", null),
                404, null, "ORGANIZATION_NOT_FOUND"));
        cases.add(new Case("api keys of unknown organization", () -> asAdmin("GET", unknownOrg + "/api-keys", null), 404,
                null, "ORGANIZATION_NOT_FOUND"));
        cases.add(new Case("api key for unknown organization", () -> asAdmin("POST", unknownOrg + "/api-keys",
                map("name", "k", "scopes", List.of("users:read"))), 404, null, null));
        cases.add(new Case("PATCH unknown user", () -> as(key, "PATCH", usersPath + "/" + UUID.randomUUID(),
                map("name", "x")), 404, null, "USER_NOT_FOUND"));
        cases.add(new Case("DELETE unknown user", () -> as(key, "DELETE", usersPath + "/" + UUID.randomUUID(), null), 404,
                null, "USER_NOT_FOUND"));
        return cases;
    }

    @TestFactory
    Stream<DynamicTest> everyBadRequestIsANamedProblem() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    @Test
    void noBadInputEverCausesA500() {
        List<String> failures = new ArrayList<>();
        for (Case c : cases()) {
            Api.Response response = c.send().get();
            if (response.status() >= 500 || response.status() < 400) {
                failures.add(c.name() + " -> " + response);
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void theRejectedRequestsChangedNothing() {
        Fixtures.Tenant t = tenant();
        for (Case c : cases()) {
            c.send().get();
        }
        JsonNode organization = expect(as(t.key(), "GET", org(t.id()), null), 200);
        assertThat(organization.path("name").asText()).isEqualTo("Org starter");
        assertThat(organization.path("status").asText()).isEqualTo("active");
        assertThat(organization.path("maxUsers").asInt()).isEqualTo(5);
        assertThat(organization.path("settings").size()).isZero();
        assertThat(all(t.key(), users(t.id()))).hasSize(1);
        assertThat(all(t.key(), apiKeys(t.id()))).hasSize(1);
    }

    @Test
    void aNumberOrABooleanIsNotAString() {
        check(new Case("name a number", () -> asAdmin("POST", ORGS, organizationWith("name", 5)), 400, "name", null));
        check(new Case("name a boolean", () -> asAdmin("POST", ORGS, organizationWith("name", true)), 400, "name", null));
        check(new Case("email a number", () -> as(tenant().key(), "POST", users(tenant().id()), userWith("email", 42)),
                400, "email", null));
    }

    @Test
    void aNulCharacterIsRefusedWhereverItIs() {
        Fixtures.Tenant t = tenant("starter");
        String nul = "a\u0000b";
        check(new Case("NUL in organization name", () -> asAdmin("POST", ORGS, organizationWith("name", nul)), 400,
                "name", null));
        check(new Case("NUL in rename", () -> as(t.key(), "PATCH", org(t.id()), map("name", nul)), 400, "name", null));
        check(new Case("NUL in a settings value", () -> as(t.key(), "PATCH", org(t.id()),
                map("settings", Map.of("color", nul))), 400, "settings.color", null));
        check(new Case("NUL in a settings key", () -> as(t.key(), "PATCH", org(t.id()),
                map("settings", Map.of(nul, "x"))), 400, null, null));
        check(new Case("NUL in suspension reason", () -> asAdmin("POST", org(t.id()) + "/suspend",
                map("reason", nul)), 400, "reason", null));
        check(new Case("NUL in user name", () -> as(t.key(), "POST", users(t.id()), userWith("name", nul)), 400,
                "name", null));
        check(new Case("NUL in user scopes", () -> as(t.key(), "POST", users(t.id()), userWith("scopes", List.of(nul))),
                400, "scopes[0]", null));
        check(new Case("NUL in api key name", () -> as(t.key(), "POST", apiKeys(t.id()),
                map("name", nul, "scopes", List.of("users:read"))), 400, "name", null));
        // and the organization is still whole
        expect(as(t.key(), "PATCH", org(t.id()), map("name", "Still Fine")), 204);
        assertThat(expect(as(t.key(), "GET", org(t.id()), null), 200).path("name").asText()).isEqualTo("Still Fine");
    }

    @Test
    void traceNeverEchoesTheRequest() {
        Api.Response response = asAdmin("TRACE", ORGS, null);
        expectProblem(response, 405, null);
        assertThat(response.text()).doesNotContain(ADMIN_KEY);
    }

    @Test
    void aQueryStringThatIsNotUtf8IsABadRequestOnEveryKindOfPath() {
        Fixtures.Tenant t = tenant();
        for (String path : List.of(ORGS + "?cursor=%ff%fe", org(t.id()) + "/users?cursor=%ff",
                org(t.id()) + "/licenses?status=%ff", "/api/v1/audit-logs?cursor=%ff")) {
            Api.Response response = asAdmin("GET", path, null);
            expectProblem(response, 400, null);
            assertThat(response.text()).as(path).contains("UTF-8");
        }
    }

    /**
     * A command whose answer the client will not accept is refused before it runs: Spring MVC found out only when
     * writing the answer, so the organization (or a license, with its key shown only in that answer) was created
     * and the client told 406.
     */
    @Test
    void aCommandWhoseAnswerTheClientRefusesIsNotRun() {
        String slug = Fixtures.uniqueSlug("xml");
        Api.Response refused = api().call("POST", ORGS, ADMIN_KEY, Map.of("name", "Xml", "slug", slug, "plan",
                "starter"), "Accept", "application/xml");
        expectProblem(refused, 406, null);
        assertThat(asAdmin("GET", ORGS + "?limit=200", null).text()).doesNotContain(slug);
        // what JSON clients send is accepted
        for (String accept : List.of("application/json", "*/*", "application/*", "application/problem+json",
                "text/html, application/json;q=0.5")) {
            String ok = Fixtures.uniqueSlug("acc");
            Api.Response created = api().call("POST", ORGS, ADMIN_KEY, Map.of("name", "Ok", "slug", ok, "plan",
                    "starter"), "Accept", accept);
            assertThat(created.status()).as(accept + ": " + created).isEqualTo(201);
        }
        expectProblem(api().call("POST", ORGS, ADMIN_KEY, Map.of("name", "Q", "slug", Fixtures.uniqueSlug("q"),
                "plan", "starter"), "Accept", "application/json;q=0"), 406, null);
    }

    /** PostgreSQL refuses NUL in text: a NUL reaching a query was a 500 (the audit filters, a license filter). */
    @Test
    void aNulCharacterInTheQueryOrPathIsABadRequest() {
        Fixtures.Tenant t = tenant();
        for (String path : List.of("/api/v1/audit-logs?resourceId=%00", "/api/v1/audit-logs/export?format=csv&actorId=a%00b",
                org(t.id()) + "/licenses?plan=%00")) {
            Api.Response response = asAdmin("GET", path, null);
            expectProblem(response, 400, null);
            assertThat(response.text()).as(path).contains("NUL");
        }
        for (String path : List.of("/api/v1/plans/x%00y", org(t.id()) + "/users/%00")) {
            expectProblem(asAdmin("GET", path, null), 400, null);      // Jetty refuses these itself
        }
    }

    @Test
    void filterBoundsBeyondTheRangeSelectAsAtItsEdge() {
        Fixtures.Tenant t = tenant();
        JsonNode all = expect(as(t.key(), "GET", org(t.id()) + "/licenses?expiringBefore=%2B999999999-12-31T23:59:59Z",
                null), 200);
        assertThat(all.path("items").isArray()).isTrue();
        expect(as(t.key(), "GET", org(t.id()) + "/licenses?expiringBefore=2030-01-01T00:00:00%2B01:00", null), 200);
        expect(asAdmin("GET", "/api/v1/system-events?from=-999999999-01-01T00:00:00Z&to=%2B999999999-12-31T23:59:59Z",
                null), 200);
    }

    @Test
    void aChunkedBodyUnderTheLimitIsAccepted() {
        String slug = Fixtures.uniqueSlug("chunked");
        byte[] body = ("{\"name\":\"" + "c".repeat(150) + "\",\"slug\":\"" + slug + "\",\"plan\":\"starter\","
                + "\"maxUsers\":3" + " ".repeat(MIB - 400) + "}").getBytes(StandardCharsets.UTF_8);
        assertThat(body.length).isLessThan(MIB);
        JsonNode created = expect(chunked(ORGS, ADMIN_KEY, body), 201);
        assertThat(created.path("slug").asText()).isEqualTo(slug);
        assertThat(created.path("maxUsers").asInt()).isEqualTo(3);
    }

    @Test
    void theBoundariesThemselvesAreAccepted() {
        JsonNode created = expect(asAdmin("POST", ORGS, map("name", "n".repeat(200), "slug", "a".repeat(54) + "-"
                + UUID.randomUUID().toString().substring(0, 8), "plan", "starter", "maxUsers", -1,
                "maxApiCallsPerMonth", 0)), 201);
        assertThat(created.path("maxUsers").asInt()).isEqualTo(-1);
        assertThat(created.path("maxApiCallsPerMonth").asLong()).isZero();
        String id = created.path("id").asText();
        expect(asAdmin("GET", ORGS + "?limit=1", null), 200);
        expect(asAdmin("GET", ORGS + "?limit=200", null), 200);
        expect(asAdmin("GET", org(id), null), 200);
    }

    private void check(Case c) {
        Api.Response response = c.send().get();
        JsonNode problem = expectProblem(response, c.status(), c.code());
        assertThat(problem.path("title").asText()).as(response.toString()).isNotBlank();
        if (c.field() != null) {
            assertThat(fieldsOf(problem)).as(response.toString()).contains(c.field());
            problem.path("errors").forEach(e ->
                    assertThat(e.path("message").asText()).as(response.toString()).isNotBlank());
        }
        if (c.status() == 401) {
            assertThat(response.header("WWW-Authenticate")).as(response.toString()).startsWith("Bearer");
        }
    }

    private static String json(Object value) {
        try {
            return Api.JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] oversizedOrganization() {
        return ("{\"name\":\"" + "x".repeat(MIB + 64 * 1024) + "\",\"slug\":\"big\",\"plan\":\"starter\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] oversizedUser() {
        return ("{\"email\":\"a@example.com\",\"role\":\"member\",\"name\":\"" + "y".repeat(MIB + 64 * 1024) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Sends the body with Transfer-Encoding: chunked, so the server learns its size only by reading it. */
    private Api.Response chunked(String path, String token, byte[] body, String... headers) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Api.Response(response.statusCode(), response.headers().map(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
