package io.celaest.server.licensing;

import com.fasterxml.jackson.databind.JsonNode;
import io.celaest.server.support.Api;
import io.celaest.server.support.Fixtures;
import io.celaest.server.support.LoopbackClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Plans, the license lifecycle and validation codes through the REST API. */
class LicensingApiTest extends LicensingTestSupport {

    @org.springframework.beans.factory.annotation.Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;

    @Test
    void anInstantWithNanosecondsIsKeptAndEchoedToTheMicrosecondPostgreSqlStores() {
        Fixtures.Tenant tenant = tenant();
        Api.Response issued = asAdmin("POST", "/api/v1/organizations/" + tenant.id() + "/licenses",
                Map.of("plan", "starter", "type", "subscription", "expiresAt", "2030-01-01T00:00:00.123456789Z"));
        assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
        assertThat(Instant.parse(issued.json().get("expiresAt").asText()))
                .isEqualTo(Instant.parse("2030-01-01T00:00:00.123456Z"));
        JsonNode read = asAdmin("GET", "/api/v1/licenses/" + issued.json().get("id").asText(), null).json();
        assertThat(Instant.parse(read.get("expiresAt").asText())).isEqualTo(Instant.parse("2030-01-01T00:00:00.123456Z"));
    }

    @Test
    void aDeletedOrganizationGetsNoNewLicenses() {
        Fixtures.Tenant tenant = tenant();
        assertThat(asAdmin("DELETE", "/api/v1/organizations/" + tenant.id(), null).status()).isEqualTo(204);
        Api.Response issued = asAdmin("POST", "/api/v1/organizations/" + tenant.id() + "/licenses",
                Map.of("plan", "starter", "type", "perpetual"));
        assertThat(issued.status()).as(issued.toString()).isEqualTo(404);
        assertThat(issued.json().get("code").asText()).isEqualTo("ORGANIZATION_NOT_FOUND");
    }

    @Test
    void seededPlansAreReadableByAnyCallerWithCamelCaseLimits() {
        Fixtures.Tenant tenant = tenant();
        JsonNode plans = get(tenant.key(), "/api/v1/plans");
        JsonNode starter = find(plans, "starter");
        assertThat(starter.get("price").asText()).isEqualTo("29.00");
        assertThat(starter.get("billingCycle").asText()).isEqualTo("monthly");
        assertThat(starter.get("limits").get("maxUsers").asInt()).isEqualTo(5);
        assertThat(starter.get("limits").get("maxAiRequestsPerMonth").asLong()).isEqualTo(1000);
        assertThat(starter.get("limits").get("collisionPolicy").asText()).isEqualTo("block");
        assertThat(find(plans, "enterprise").get("limits").get("maxUsers").asInt()).isEqualTo(-1);
        assertThat(find(plans, "professional")).isNotNull();
    }

    @Test
    void thePlatformOperatorCreatesAndChangesPlans() {
        String code = "team-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> limits = Map.of("maxUsers", 10, "maxAiRequestsPerMonth", 5000, "maxStorageGb", 50,
                "maxIpBindings", 4, "maxConcurrentIps", 2, "collisionPolicy", "flag", "bindingTtlDays", 14);
        Api.Response created = asAdmin("POST", "/api/v1/plans", Map.of("code", code, "name", "Team",
                "billingCycle", "yearly", "price", "490.5", "currency", "EUR", "limits", limits));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("price").asText()).isEqualTo("490.50");

        Api.Response again = asAdmin("POST", "/api/v1/plans", Map.of("code", code, "name", "Team",
                "billingCycle", "yearly", "price", "490.50", "currency", "EUR", "limits", limits));
        assertThat(again.status()).isEqualTo(409);

        Api.Response patched = asAdmin("PATCH", "/api/v1/plans/" + code, Map.of("price", "500.00",
                "limits", Map.of("maxIpBindings", 6)));
        assertThat(patched.status()).as(patched.toString()).isEqualTo(204);
        JsonNode plan = find(get(ADMIN_KEY, "/api/v1/plans"), code);
        assertThat(plan.get("price").asText()).isEqualTo("500.00");
        assertThat(plan.get("limits").get("maxIpBindings").asInt()).isEqualTo(6);
        assertThat(plan.get("limits").get("maxConcurrentIps").asInt()).isEqualTo(2);

        assertThat(asAdmin("PATCH", "/api/v1/plans/no-such-plan", Map.of("price", "1.00")).status()).isEqualTo(404);
        Fixtures.Tenant tenant = tenant();

        // a license of the plan, its state in the validation path's memory: the change is in its next answer
        Issued license = issue(tenant.id(), code, "perpetual", null, null);
        validate("127.0.0.1", license.key(), null, null);      // the first use binds the IP, which reloads it
        JsonNode before = validate("127.0.0.1", license.key(), null, null).json();
        assertThat(before.get("license").get("limits").get("maxIpBindings").asInt()).isEqualTo(6);
        assertThat(asAdmin("PATCH", "/api/v1/plans/" + code, Map.of("limits", Map.of("maxIpBindings", 8))).status())
                .isEqualTo(204);
        JsonNode after = validate("127.0.0.1", license.key(), null, null).json();
        assertThat(after.get("license").get("limits").get("maxIpBindings").asInt()).as("at once on this node")
                .isEqualTo(8);
        assertThat(api().call("PATCH", "/api/v1/plans/" + code, tenant.key(), Map.of("price", "1.00")).status())
                .isEqualTo(403);
    }

    @Test
    void badPlanInputIsA400NamingTheField() {
        Map<String, Object> limits = Map.of("maxUsers", 10, "maxAiRequestsPerMonth", 5000, "maxStorageGb", 50,
                "maxIpBindings", 4, "maxConcurrentIps", 2, "collisionPolicy", "flag", "bindingTtlDays", 14);
        Api.Response floatPrice = asAdmin("POST", "/api/v1/plans", Map.of("code", "x-plan", "name", "X",
                "billingCycle", "monthly", "price", "1.999", "currency", "USD", "limits", limits));
        assertThat(floatPrice.status()).isEqualTo(400);
        assertThat(floatPrice.text()).contains("price");
        Api.Response badPolicy = asAdmin("POST", "/api/v1/plans", Map.of("code", "x-plan", "name", "X",
                "billingCycle", "monthly", "price", "1.00", "currency", "USD",
                "limits", Map.of("maxUsers", 1, "maxAiRequestsPerMonth", 1, "maxStorageGb", 1, "maxIpBindings", 1,
                        "maxConcurrentIps", 1, "collisionPolicy", "shrug", "bindingTtlDays", 1)));
        assertThat(badPolicy.status()).isEqualTo(400);
        assertThat(badPolicy.text()).contains("limits.collisionPolicy");
        Api.Response missingLimit = asAdmin("POST", "/api/v1/plans", Map.of("code", "x-plan", "name", "X",
                "billingCycle", "monthly", "price", "1.00", "currency", "USD", "limits", Map.of("maxUsers", 1)));
        assertThat(missingLimit.status()).isEqualTo(400);
        assertThat(missingLimit.contentType()).startsWith("application/problem+json");
        Api.Response madeUpCurrency = asAdmin("POST", "/api/v1/plans", Map.of("code", "x-plan", "name", "X",
                "billingCycle", "monthly", "price", "1.00", "currency", "XYZ", "limits", limits));
        assertThat(madeUpCurrency.status()).isEqualTo(400);
        assertThat(madeUpCurrency.text()).contains("currency");
        assertThat(asAdmin("PATCH", "/api/v1/plans/starter", Map.of("currency", "XYZ")).status()).isEqualTo(400);
        Api.Response nothing = asAdmin("PATCH", "/api/v1/plans/starter", Map.of());
        assertThat(nothing.status()).isEqualTo(422);
        assertThat(nothing.json().path("code").asText()).isEqualTo("NOTHING_TO_UPDATE");
    }

    @Test
    void issuedLicenseHasAGroupedCheckedKeyShownOnceAndEffectiveLimits() {
        Fixtures.Tenant tenant = tenant();
        Issued license = perpetual(tenant.id(), Map.of("maxIpBindings", 7));
        assertThat(license.key()).matches("[0-9A-Z]{5}(-[0-9A-Z]{5}){5}");

        JsonNode view = get(tenant.key(), "/api/v1/licenses/" + license.id());
        assertThat(view.get("status").asText()).isEqualTo("active");
        assertThat(view.get("plan").asText()).isEqualTo("professional");
        assertThat(view.get("keyHint").asText()).isEqualTo(license.key().substring(license.key().length() - 5));
        assertThat(view.toString()).doesNotContain(license.key());
        assertThat(view.get("limits").get("maxIpBindings").asInt()).isEqualTo(7);
        assertThat(view.get("limits").get("maxConcurrentIps").asInt()).isEqualTo(5);
        assertThat(view.get("customLimits").toString()).isEqualTo("{\"maxIpBindings\":7}");

        JsonNode page = get(tenant.key(), "/api/v1/organizations/" + tenant.id() + "/licenses?status=active&plan=professional");
        assertThat(page.get("items")).hasSize(1);
        assertThat(get(tenant.key(), "/api/v1/organizations/" + tenant.id() + "/licenses?status=suspended")
                .get("items")).isEmpty();
    }

    @Test
    void issuingChecksTypeExpiryPlanAndOrganization() {
        Fixtures.Tenant tenant = tenant();
        String path = "/api/v1/organizations/" + tenant.id() + "/licenses";
        assertThat(asAdmin("POST", path, Map.of("plan", "professional", "type", "subscription")).status())
                .isEqualTo(422);
        assertThat(asAdmin("POST", path, Map.of("plan", "professional", "type", "perpetual",
                "expiresAt", Instant.now().plus(Duration.ofDays(1)).toString())).status()).isEqualTo(422);
        assertThat(asAdmin("POST", path, Map.of("plan", "professional", "type", "trial",
                "expiresAt", Instant.now().minus(Duration.ofDays(1)).toString())).status()).isEqualTo(422);
        assertThat(asAdmin("POST", path, Map.of("plan", "no-such-plan", "type", "perpetual")).status()).isEqualTo(422);
        assertThat(asAdmin("POST", path, Map.of("plan", "professional", "type", "forever")).status()).isEqualTo(400);
        assertThat(asAdmin("POST", "/api/v1/organizations/" + UUID.randomUUID() + "/licenses",
                Map.of("plan", "professional", "type", "perpetual")).status()).isEqualTo(404);
        // an organization may not issue itself licenses
        assertThat(api().call("POST", path, tenant.key(), Map.of("plan", "professional", "type", "perpetual"))
                .status()).isEqualTo(403);
    }

    @Test
    void validationCodesFollowTheLifecycle() {
        Fixtures.Tenant tenant = tenant();
        String product = UUID.randomUUID().toString();
        Api.Response issued = asAdmin("POST", "/api/v1/organizations/" + tenant.id() + "/licenses",
                Map.of("plan", "professional", "type", "perpetual", "productId", product));
        String id = issued.json().get("id").asText();
        String key = issued.json().get("key").asText();

        LoopbackClient.Response valid = validate("127.0.0.1", key, null, product);
        assertThat(code(valid)).isEqualTo("VALID");
        assertThat(valid.json().get("valid").asBoolean()).isTrue();
        assertThat(valid.json().get("license").get("id").asText()).isEqualTo(id);
        assertThat(valid.json().get("license").get("limits").get("maxIpBindings").asInt()).isEqualTo(10);
        // lower case, no dashes, O for 0: the same key
        assertThat(code(validate("127.0.0.1", key.replace("-", "").toLowerCase().replace('0', 'o'), null, null)))
                .isEqualTo("VALID");
        assertThat(code(validate("127.0.0.1", key, null, UUID.randomUUID().toString())))
                .isEqualTo("PRODUCT_SCOPE_MISMATCH");

        assertThat(asAdmin("POST", "/api/v1/licenses/" + id + "/suspend", Map.of("reason", "unpaid")).status())
                .isEqualTo(204);
        assertThat(code(validate("127.0.0.1", key, null, null))).isEqualTo("SUSPENDED");
        Api.Response twice = asAdmin("POST", "/api/v1/licenses/" + id + "/suspend", null);
        assertThat(twice.status()).isEqualTo(409);
        assertThat(twice.json().get("licenseStatus").asText()).isEqualTo("suspended");
        assertThat(twice.json().get("status").asInt()).as("RFC 9457 status, not overwritten").isEqualTo(409);
        assertThat(asAdmin("POST", "/api/v1/licenses/" + id + "/reinstate", null).status()).isEqualTo(204);
        assertThat(code(validate("127.0.0.1", key, null, null))).isEqualTo("VALID");
        assertThat(asAdmin("POST", "/api/v1/licenses/" + id + "/renew",
                Map.of("expiresAt", Instant.now().plus(Duration.ofDays(30)).toString())).status()).isEqualTo(409);
        assertThat(asAdmin("POST", "/api/v1/licenses/" + id + "/plan", Map.of("plan", "enterprise")).status())
                .isEqualTo(204);
        assertThat(validate("127.0.0.1", key, null, null).json().get("license").get("plan").asText())
                .isEqualTo("enterprise");
        assertThat(asAdmin("POST", "/api/v1/licenses/" + id + "/cancel", null).status()).isEqualTo(204);
        assertThat(code(validate("127.0.0.1", key, null, null))).isEqualTo("CANCELLED");
        Api.Response reinstate = asAdmin("POST", "/api/v1/licenses/" + id + "/reinstate", null);
        assertThat(reinstate.status()).isEqualTo(409);
        assertThat(reinstate.json().get("licenseStatus").asText()).isEqualTo("cancelled");
        assertThat(reinstate.json().get("status").asInt()).isEqualTo(409);
        // only the platform operator changes the lifecycle
        assertThat(api().call("POST", "/api/v1/licenses/" + id + "/suspend", tenant.key(), null).status())
                .isEqualTo(403);
    }

    @Test
    void keysThatFailTheCheckOrMatchNothingAreNotFound() {
        Fixtures.Tenant tenant = tenant();
        Issued license = perpetual(tenant.id(), null);
        char last = license.key().charAt(license.key().length() - 1);
        String wrongCheck = license.key().substring(0, license.key().length() - 1) + (last == 'A' ? 'B' : 'A');
        LoopbackClient.Response response = validate("127.0.0.1", wrongCheck, null, null);
        assertThat(code(response)).isEqualTo("NOT_FOUND");
        assertThat(response.json().get("valid").asBoolean()).isFalse();
        assertThat(response.json().get("license").isNull()).isTrue();
        assertThat(code(validate("127.0.0.1", "not a key", null, null))).isEqualTo("NOT_FOUND");

        Api.Response missing = api().call("POST", "/api/v1/licenses/validate", null, Map.of("fingerprint", "x"));
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.text()).contains("key");
        Api.Response malformed = api().call("POST", "/api/v1/licenses/validate", null, "{\"key\":");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.contentType()).startsWith("application/problem+json");
        Api.Response unknownField = api().call("POST", "/api/v1/licenses/validate", null,
                Map.of("key", license.key(), "machine", "x"));
        assertThat(unknownField.status()).isEqualTo(400);
        assertThat(unknownField.text()).contains("machine");
        Api.Response badProduct = api().call("POST", "/api/v1/licenses/validate", null,
                Map.of("key", license.key(), "productId", "not-a-uuid"));
        assertThat(badProduct.status()).isEqualTo(400);
        assertThat(badProduct.text()).contains("productId");
        Api.Response spacedFingerprint = api().call("POST", "/api/v1/licenses/validate", null,
                Map.of("key", license.key(), "fingerprint", "two words"));
        assertThat(spacedFingerprint.status()).isEqualTo(400);
        assertThat(spacedFingerprint.text()).contains("fingerprint");
        assertThat(api().call("POST", "/api/v1/licenses/validate", null, "[1,2]").status()).isEqualTo(400);
        Api.Response twice = api().call("POST", "/api/v1/licenses/validate", null,
                "{\"key\":\"" + license.key() + "\",\"key\":\"other\"}");
        assertThat(twice.status()).isEqualTo(400);
        assertThat(twice.json().path("errors").path(0).path("field").asText()).isEqualTo("key");
        // license clients in the field may send an unset product as "": no product, as before the API became strict
        Api.Response emptyProduct = api().call("POST", "/api/v1/licenses/validate", null,
                Map.of("key", license.key(), "productId", ""));
        assertThat(emptyProduct.status()).isEqualTo(200);
        assertThat(emptyProduct.json().path("code").asText()).isEqualTo("VALID");
        assertThat(api().call("POST", "/api/v1/licenses/validate", null, "{\"key\":\"" + license.key() + "\"} x")
                .status()).isEqualTo(400);
        Api.Response nullBody = api().call("POST", "/api/v1/licenses/validate", null, "null");
        assertThat(nullBody.status()).isEqualTo(400);
        assertThat(nullBody.contentType()).startsWith("application/problem+json");
        assertThat(api().raw("POST", "/api/v1/licenses/validate", null, "key".getBytes(), "text/plain").status())
                .isEqualTo(415);
        assertThat(api().raw("POST", "/api/v1/licenses/validate", null, new byte[20_000], "application/json").status())
                .isEqualTo(413);
        assertThat(api().call("GET", "/api/v1/licenses/validate", null, null).status()).isEqualTo(405);
        // a chunked body (no Content-Length) is read up to the same limit
        LoopbackClient.Response chunked = LoopbackClient.postChunked(port, "/api/v1/licenses/validate",
                "{\"key\": \"", license.key(), "\"}");
        assertThat(code(chunked)).isEqualTo("VALID");
        assertThat(LoopbackClient.postChunked(port, "/api/v1/licenses/validate", "{\"key\": \"",
                "x".repeat(5000), "x".repeat(5000), "\"}").status()).isEqualTo(413);
        // documented in the OpenAPI document, and counted per code
        assertThat(api().call("GET", "/v3/api-docs", null, null).text()).contains("/api/v1/licenses/validate",
                "ValidateRequest");
        assertThat(api().call("GET", "/actuator/prometheus", null, null).text())
                .contains("celaest_license_validations_total{code=\"NOT_FOUND\"}",
                        "celaest_license_validation_served_seconds_count", "celaest_license_validation_batch_commit_seconds",
                        "celaest_license_validation_batch_size");
    }

    @Test
    void aTrialConvertsAndASubscriptionExpiresExactlyAtItsEnd() {
        Fixtures.Tenant tenant = tenant();
        Instant end = Instant.now().plusSeconds(4).truncatedTo(ChronoUnit.MILLIS);
        Issued trial = issue(tenant.id(), "starter", "trial", end, null);
        assertThat(code(validate("127.0.0.1", trial.key(), null, null))).isEqualTo("VALID");
        assertThat(get(tenant.key(), "/api/v1/licenses/" + trial.id()).get("status").asText()).isEqualTo("trial");
        assertThat(asAdmin("POST", "/api/v1/licenses/" + trial.id() + "/convert",
                Map.of("expiresAt", Instant.now().plus(Duration.ofDays(30)).toString())).status()).isEqualTo(204);
        JsonNode converted = get(tenant.key(), "/api/v1/licenses/" + trial.id());
        assertThat(converted.get("status").asText()).isEqualTo("active");
        assertThat(converted.get("type").asText()).isEqualTo("subscription");
        assertThat(asAdmin("POST", "/api/v1/licenses/" + trial.id() + "/convert", null).status()).isEqualTo(409);

        Issued subscription = issue(tenant.id(), "starter", "subscription", end, null);
        assertThat(code(validate("127.0.0.1", subscription.key(), null, null))).isEqualTo("VALID");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                get(tenant.key(), "/api/v1/licenses/" + subscription.id()).get("status").asText().equals("expired"));
        assertThat(Instant.now()).isAfterOrEqualTo(end);
        assertThat(code(validate("127.0.0.1", subscription.key(), null, null))).isEqualTo("EXPIRED");
        // renewing an expired subscription makes it active again
        assertThat(asAdmin("POST", "/api/v1/licenses/" + subscription.id() + "/renew",
                Map.of("expiresAt", Instant.now().plus(Duration.ofDays(365)).toString())).status()).isEqualTo(204);
        assertThat(code(validate("127.0.0.1", subscription.key(), null, null))).isEqualTo("VALID");
    }

    /**
     * Between a license's end and its expiry deadline's event reaching the read model (up to a second or so), reads
     * already show it expired, as validation answers EXPIRED from that instant: the read model is put in that state
     * here, as the projection leaves it until the deadline has run.
     */
    @Test
    void aLicensePastItsEndReadsExpiredBeforeItsDeadlineHasRun() {
        Fixtures.Tenant tenant = tenant();
        Issued subscription = issue(tenant.id(), "starter", "subscription", Instant.now().plus(Duration.ofDays(1)), null);
        Issued trial = issue(tenant.id(), "starter", "trial", Instant.now().plus(Duration.ofDays(1)), null);
        Issued perpetual = perpetual(tenant.id(), null);
        String licenses = "/api/v1/organizations/" + tenant.id() + "/licenses";
        get(tenant.key(), "/api/v1/licenses/" + perpetual.id());        // read-your-writes: all three projected

        jdbc.update("UPDATE licenses SET expires_at = now() - interval '1 second' WHERE id IN (?, ?)",
                UUID.fromString(subscription.id()), UUID.fromString(trial.id()));

        assertThat(get(tenant.key(), "/api/v1/licenses/" + subscription.id()).get("status").asText()).isEqualTo("expired");
        assertThat(get(tenant.key(), "/api/v1/licenses/" + trial.id()).get("status").asText()).isEqualTo("expired");
        assertThat(ids(get(tenant.key(), licenses + "?status=expired"))).containsExactlyInAnyOrder(subscription.id(),
                trial.id());
        assertThat(ids(get(tenant.key(), licenses + "?status=active"))).containsExactly(perpetual.id());
        assertThat(ids(get(tenant.key(), licenses + "?status=trial"))).isEmpty();
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new java.util.ArrayList<>();
        page.get("items").forEach(item -> ids.add(item.get("id").asText()));
        return ids;
    }

    @Test
    void anotherOrganizationSeesNoneOfItAnd404sEverywhere() {
        Fixtures.Tenant owner = tenant();
        Fixtures.Tenant other = tenant();
        Issued license = perpetual(owner.id(), null);
        String base = "/api/v1/licenses/" + license.id();
        for (String path : List.of(base, base + "/bindings", base + "/collisions", base + "/validations",
                base + "/usage", base + "/certificate")) {
            assertThat(api().call("GET", path, other.key(), null).status()).as(path).isEqualTo(404);
        }
        assertThat(api().call("GET", "/api/v1/organizations/" + owner.id() + "/licenses", other.key(), null).status())
                .isEqualTo(404);
        assertThat(api().call("POST", base + "/bindings", other.key(), Map.of("kind", "ip", "value", "10.0.0.1"))
                .status()).isEqualTo(404);
        assertThat(api().call("DELETE", base + "/bindings/" + UUID.randomUUID(), other.key(), null).status())
                .isEqualTo(404);
        assertThat(api().call("POST", base + "/usage", other.key(), Map.of("metric", "ai_requests", "quantity", 1))
                .status()).isEqualTo(404);
        assertThat(api().call("POST", base + "/collisions/" + UUID.randomUUID() + "/resolve", other.key(), null)
                .status()).isEqualTo(404);
        assertThat(api().call("POST", base + "/suspend", other.key(), null).status()).isEqualTo(404);
        assertThat(api().call("POST", base + "/erase", other.key(), null).status()).isEqualTo(404);
        assertThat(get(other.key(), "/api/v1/organizations/" + other.id() + "/licenses").get("items")).isEmpty();
    }

    private static JsonNode find(JsonNode plans, String code) {
        for (JsonNode plan : plans) {
            if (plan.get("code").asText().equals(code)) {
                return plan;
            }
        }
        throw new AssertionError("no plan " + code + " in " + plans);
    }

    @Test
    void auditorsReplayALicensesHistoryAndItsAuditTrail() {
        Fixtures.Tenant tenant = tenant();
        Fixtures.Tenant other = tenant();
        Issued license = perpetual(tenant.id(), null);
        assertThat(code(validate("127.0.8.1", license.key(), "box-1", null))).isEqualTo("VALID");
        Instant beforeSuspension = Instant.now();
        assertThat(asAdmin("POST", "/api/v1/licenses/" + license.id() + "/suspend", Map.of("reason", "audit")).status())
                .isEqualTo(204);
        String auditor = Fixtures.createKey(api(), tenant.id(), List.of("audit:read"));

        JsonNode events = get(auditor, "/api/v1/audit/aggregates/license/" + license.id() + "/events");
        assertThat(events.toString()).contains("LicenseIssued", "LicenseBound", "LicenseSuspended");
        JsonNode before = get(auditor, "/api/v1/audit/aggregates/license/" + license.id() + "/state?at=" + beforeSuspension);
        assertThat(before.toString()).contains("\"status\":\"active\"").contains("box-1");
        JsonNode now = get(auditor, "/api/v1/audit/aggregates/license/" + license.id() + "/state?at=" + Instant.now());
        assertThat(now.toString()).contains("\"status\":\"suspended\"");
        assertThat(api().call("GET", "/api/v1/audit/aggregates/license/" + license.id() + "/events",
                Fixtures.createKey(api(), other.id(), List.of("audit:read")), null).status()).isEqualTo(404);

        await().atMost(Duration.ofSeconds(20)).until(() -> get(auditor, "/api/v1/audit-logs?resourceId=" + license.id())
                .get("items").size() >= 2);
        JsonNode trail = get(auditor, "/api/v1/audit-logs?resourceId=" + license.id());
        assertThat(trail.toString()).contains("\"resourceType\":\"license\"").contains("\"action\":\"suspend\"")
                .doesNotContain(license.key());

        // the operator's rejected lifecycle command (its path names only the license) is the organization's to see
        assertThat(asAdmin("POST", "/api/v1/licenses/" + license.id() + "/suspend", Map.of("reason", "again"))
                .status()).isEqualTo(409);
        await().atMost(Duration.ofSeconds(20)).until(() -> get(auditor, "/api/v1/audit-logs?outcome=failure&resourceId="
                + license.id()).get("items").size() >= 1);
    }
}
