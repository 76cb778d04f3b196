package io.celaest.server.identity;

import com.fasterxml.jackson.databind.JsonNode;
import io.celaest.server.support.Api;
import io.celaest.server.support.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** POST with Idempotency-Key: Stripe's semantics, per caller. */
class IdempotencyTest extends IdentityTestSupport {

    private static final String KEY = "Idempotency-Key";
    private static final String REPLAYED = "Idempotent-Replayed";

    private static String newKey() {
        return "idem-" + UUID.randomUUID();
    }

    private Api.Response post(String token, String path, Object body, String idempotencyKey) {
        return as(token, "POST", path, body, KEY, idempotencyKey);
    }

    private List<JsonNode> usersWithEmail(String token, String orgId, String email) {
        return all(token, users(orgId)).stream().filter(u -> email.equalsIgnoreCase(u.path("email").asText())).toList();
    }

    @Test
    void aRetryWithTheSameKeyAndBodyGetsTheSameAnswerAndCreatesNothingNew() {
        Fixtures.Tenant t = tenant("enterprise");
        String key = newKey();
        String email = uniqueEmail("once");
        Map<String, Object> body = map("email", email, "name", "Once", "role", "member");

        Api.Response first = post(t.key(), users(t.id()), body, key);
        expect(first, 201);
        assertThat(first.header(REPLAYED)).isNull();

        Api.Response second = post(t.key(), users(t.id()), body, key);
        assertThat(second.status()).as(second.toString()).isEqualTo(201);
        assertThat(second.header(REPLAYED)).isEqualTo("true");
        assertThat(second.text()).isEqualTo(first.text());
        assertThat(second.json()).isEqualTo(first.json());
        assertThat(second.header("Location")).isEqualTo(first.header("Location")).isNotNull();
        assertThat(second.contentType()).startsWith("application/json");

        Api.Response third = post(t.key(), users(t.id()), body, key);
        assertThat(third.status()).isEqualTo(201);
        assertThat(third.header(REPLAYED)).isEqualTo("true");
        assertThat(third.json().path("id")).isEqualTo(first.json().path("id"));

        List<JsonNode> all = all(t.key(), users(t.id()));
        assertThat(all).hasSize(1);
        assertThat(all.get(0).path("id").asText()).isEqualTo(first.json().path("id").asText());
        assertThat(expect(as(t.key(), "GET", org(t.id()), null), 200).path("activeUsers").asInt()).isEqualTo(1);
    }

    @Test
    void aRequestCutOffByACrashIsSettledFromTheEventLogByItsFirstLateRetry() throws Exception {
        Fixtures.Tenant t = tenant("enterprise");
        // applied, answer lost: the retry learns which resource it created, and never creates it twice
        String applied = newKey();
        Map<String, Object> body = map("email", uniqueEmail("cut"), "name", "Cut Off", "role", "member");
        String userId = expect(post(t.key(), users(t.id()), body, applied), 201).path("id").asText();
        crashedWhileRunning(applied, false);
        Api.Response interrupted = post(t.key(), users(t.id()), body, applied);
        expectProblem(interrupted, 409, "IDEMPOTENT_REQUEST_INTERRUPTED");
        assertThat(interrupted.json().path("resourceId").asText()).isEqualTo(t.id());   // the organization's stream
        assertThat(post(t.key(), users(t.id()), body, applied).json().path("code").asText())
                .isEqualTo("IDEMPOTENT_REQUEST_INTERRUPTED");
        assertThat(all(t.key(), users(t.id()))).extracting(u -> u.path("id").asText()).containsExactly(userId);

        // never applied (no event of it after the head it started at): released, and the retry runs
        String lost = newKey();
        Map<String, Object> other = map("email", uniqueEmail("lost"), "name", "Lost", "role", "member");
        expect(post(t.key(), users(t.id()), other, lost), 201);
        crashedWhileRunning(lost, true);
        Api.Response rerun = post(t.key(), users(t.id()), other, lost);
        expectProblem(rerun, 409, "EMAIL_TAKEN");          // it ran again (this test's first run did apply it)
        assertThat(rerun.header(REPLAYED)).isNull();

        // a request still running (younger than abandoned-after) keeps its key in use
        String running = newKey();
        Map<String, Object> third = map("email", uniqueEmail("run"), "name", "Run", "role", "member");
        expect(post(t.key(), users(t.id()), third, running), 201);
        try (java.sql.Connection db = database.connect();
             java.sql.PreparedStatement unfinished = db.prepareStatement(
                     "UPDATE idempotency_keys SET status_code = NULL, response_body = NULL WHERE idempotency_key = ?")) {
            unfinished.setString(1, running);
            assertThat(unfinished.executeUpdate()).isEqualTo(1);
        }
        expectProblem(post(t.key(), users(t.id()), third, running), 409, "IDEMPOTENCY_KEY_IN_USE");
    }

    /** As if the node stopped mid-request 3 minutes ago; {@code nothingApplied} moves its start past its events. */
    private void crashedWhileRunning(String key, boolean nothingApplied) throws Exception {
        try (java.sql.Connection db = database.connect();
             java.sql.PreparedStatement crash = db.prepareStatement("""
                     UPDATE idempotency_keys SET status_code = NULL, content_type = NULL, response_body = NULL,
                            location = NULL, completed_at = NULL, created_at = now() - interval '3 minutes',
                            event_head = CASE WHEN ? THEN (SELECT max(global_index) FROM domain_event_entry)
                                              ELSE event_head END
                     WHERE idempotency_key = ?""")) {
            crash.setBoolean(1, nothingApplied);
            crash.setString(2, key);
            assertThat(crash.executeUpdate()).isEqualTo(1);
        }
    }

    @Test
    void aReplayedCreationOfAnOrganizationKeepsItsIdAndLocation() {
        String key = newKey();
        Map<String, Object> body = map("name", "Idem Org", "slug", Fixtures.uniqueSlug("idem"), "plan", "starter");
        Api.Response first = post(ADMIN_KEY, ORGS, body, key);
        String id = expect(first, 201).path("id").asText();
        Api.Response again = post(ADMIN_KEY, ORGS, body, key);
        assertThat(again.status()).as(again.toString()).isEqualTo(201);
        assertThat(again.header(REPLAYED)).isEqualTo("true");
        assertThat(again.json().path("id").asText()).isEqualTo(id);
        assertThat(again.header("Location")).isEqualTo(first.header("Location"));
        assertThat(all(ADMIN_KEY, ORGS).stream().filter(o -> body.get("slug").equals(o.path("slug").asText())))
                .hasSize(1);
    }

    @Test
    void theSameRequestSerialisedDifferentlyIsTheSameRequest() {
        Fixtures.Tenant t = tenant("enterprise");
        String key = newKey();
        String email = uniqueEmail("reordered");
        Api.Response first = post(t.key(), users(t.id()),
                "{\"email\":\"" + email + "\",\"name\":\"Same\",\"role\":\"member\",\"scopes\":[\"users:read\"]}", key);
        JsonNode created = expect(first, 201);

        Api.Response retry = post(t.key(), users(t.id()), "{\n  \"scopes\": [ \"users:read\" ],\n"
                + "  \"role\": \"member\", \"name\": \"Same\", \"email\": \"" + email + "\"\n}", key);

        assertThat(expect(retry, 201).path("id").asText()).isEqualTo(created.path("id").asText());
        assertThat(retry.header(REPLAYED)).isEqualTo("true");
        // values still count: other scopes are another request
        expectProblem(post(t.key(), users(t.id()), map("email", email, "name", "Same", "role", "member",
                "scopes", List.of("users:read", "users:write")), key), 422, "IDEMPOTENCY_KEY_REUSED");
    }

    @Test
    void aSecretShownOnceIsNeitherStoredNorShownAgain() throws Exception {
        Fixtures.Tenant t = tenant("enterprise");
        String idempotencyKey = newKey();
        Map<String, Object> body = map("name", "once", "scopes", List.of("users:read"));
        JsonNode first = expect(post(t.key(), apiKeys(t.id()), body, idempotencyKey), 201);
        String secret = first.path("key").asText();
        assertThat(secret).startsWith("cel_");

        Api.Response retry = post(t.key(), apiKeys(t.id()), body, idempotencyKey);

        JsonNode replayed = expect(retry, 201);
        assertThat(retry.header(REPLAYED)).isEqualTo("true");
        assertThat(replayed.path("id").asText()).isEqualTo(first.path("id").asText());
        assertThat(replayed.path("key").isNull()).as(retry.toString()).isTrue();
        try (java.sql.Connection c = database.connect(); java.sql.PreparedStatement s = c.prepareStatement(
                "SELECT count(*) FROM idempotency_keys WHERE position(convert_to(?, 'UTF8') in response_body) > 0")) {
            s.setString(1, secret);
            try (java.sql.ResultSet rs = s.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).as("stored answers holding the secret").isZero();
            }
        }
    }

    @Test
    void theSameKeyWithAnotherRequestIsRefused() {
        Fixtures.Tenant t = tenant("enterprise");
        String key = newKey();
        String email = uniqueEmail("first");
        expect(post(t.key(), users(t.id()), map("email", email, "name", "First", "role", "member"), key), 201);

        String other = uniqueEmail("second");
        Api.Response differentBody = post(t.key(), users(t.id()), map("email", other, "name", "Second", "role", "member"),
                key);
        expectProblem(differentBody, 422, "IDEMPOTENCY_KEY_REUSED");
        assertThat(differentBody.header(REPLAYED)).isNull();

        Api.Response differentPath = post(t.key(), apiKeys(t.id()), map("name", "k", "scopes", List.of("users:read")),
                key);
        expectProblem(differentPath, 422, "IDEMPOTENCY_KEY_REUSED");

        List<JsonNode> all = all(t.key(), users(t.id()));
        assertThat(all).extracting(u -> u.path("email").asText()).containsExactly(email);
        assertThat(all(t.key(), apiKeys(t.id())).stream().filter(k -> "k".equals(k.path("name").asText()))).isEmpty();

        // the original request is still replayed after the refusals
        Api.Response retry = post(t.key(), users(t.id()), map("email", email, "name", "First", "role", "member"), key);
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.header(REPLAYED)).isEqualTo("true");
    }

    @Test
    void keysAreScopedPerCaller() {
        Fixtures.Tenant a = tenant("enterprise");
        Fixtures.Tenant b = tenant("enterprise");
        String key = newKey();
        String email = uniqueEmail("shared");
        Map<String, Object> body = map("email", email, "name", "Shared", "role", "member");

        Api.Response forA = post(a.key(), users(a.id()), body, key);
        expect(forA, 201);

        // another tenant's key with the same Idempotency-Key runs its own request
        Api.Response forB = post(b.key(), users(b.id()), body, key);
        expect(forB, 201);
        assertThat(forB.header(REPLAYED)).isNull();
        assertThat(forB.json().path("id")).isNotEqualTo(forA.json().path("id"));
        assertThat(forB.json().path("organizationId").asText()).isEqualTo(b.id());
        assertThat(usersWithEmail(b.key(), b.id(), email)).hasSize(1);

        // another caller sending the very same request with the same key is not given A's stored answer:
        // its request really runs, and meets A's user
        String secondKeyOfA = Fixtures.createKey(api(), a.id(), List.of("*"));
        Api.Response sameRequestOtherKey = post(secondKeyOfA, users(a.id()), body, key);
        expectProblem(sameRequestOtherKey, 409, "EMAIL_TAKEN");
        assertThat(sameRequestOtherKey.header(REPLAYED)).isNull();
        Api.Response sameRequestAdmin = post(ADMIN_KEY, users(a.id()), body, key);
        expectProblem(sameRequestAdmin, 409, "EMAIL_TAKEN");
        assertThat(sameRequestAdmin.header(REPLAYED)).isNull();

        // while A's own retry is still a replay
        Api.Response retryA = post(a.key(), users(a.id()), body, key);
        assertThat(retryA.status()).isEqualTo(201);
        assertThat(retryA.header(REPLAYED)).isEqualTo("true");
        assertThat(usersWithEmail(a.key(), a.id(), email)).hasSize(1);
    }

    @Test
    void aRequestThatFailedWithA4xxIsReplayedAsTheSame4xx() {
        Fixtures.Tenant t = tenant("enterprise");
        String email = uniqueEmail("dup");
        String existing = addUser(t.key(), t.id(), email, "member").path("id").asText();
        String key = newKey();
        Map<String, Object> body = map("email", email, "name", "Dup", "role", "member");

        Api.Response failed = post(t.key(), users(t.id()), body, key);
        expectProblem(failed, 409, "EMAIL_TAKEN");
        assertThat(failed.header(REPLAYED)).isNull();

        // free the email: a real re-run would now succeed, a replay must not
        expect(as(t.key(), "DELETE", users(t.id()) + "/" + existing, null), 204);

        Api.Response replayed = post(t.key(), users(t.id()), body, key);
        assertThat(replayed.status()).as(replayed.toString()).isEqualTo(409);
        assertThat(replayed.header(REPLAYED)).isEqualTo("true");
        assertThat(replayed.contentType()).startsWith(PROBLEM_JSON);
        assertThat(replayed.json()).isEqualTo(failed.json());
        assertThat(all(t.key(), users(t.id())).stream().filter(u -> u.path("active").asBoolean())).isEmpty();

        // a validation failure is replayed too
        String badKey = newKey();
        Map<String, Object> bad = map("email", "not-an-email", "name", "Bad", "role", "member");
        Api.Response invalid = post(t.key(), users(t.id()), bad, badKey);
        assertThat(invalid.status()).isEqualTo(400);
        Api.Response invalidAgain = post(t.key(), users(t.id()), bad, badKey);
        assertThat(invalidAgain.status()).isEqualTo(400);
        assertThat(invalidAgain.header(REPLAYED)).isEqualTo("true");
        assertThat(invalidAgain.json()).isEqualTo(invalid.json());

        // with a new key the same request runs again, and now succeeds
        expect(post(t.key(), users(t.id()), body, newKey()), 201);
    }

    @Test
    void concurrentRetriesCreateExactlyOneUser() throws Exception {
        Fixtures.Tenant t = tenant("enterprise");
        String key = newKey();
        String email = uniqueEmail("race");
        Map<String, Object> body = map("email", email, "name", "Race", "role", "member");

        int threads = 10;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch ready = new CountDownLatch(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Api.Response>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Callable<Api.Response> send = () -> {
                    ready.countDown();
                    go.await();
                    return post(t.key(), users(t.id()), body, key);
                };
                futures.add(pool.submit(send));
            }
            assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
            go.countDown();

            List<Api.Response> responses = new ArrayList<>();
            for (Future<Api.Response> future : futures) {
                responses.add(future.get(60, TimeUnit.SECONDS));
            }
            List<Api.Response> created = responses.stream().filter(r -> r.status() == 201).toList();
            List<Api.Response> inUse = responses.stream().filter(r -> r.status() == 409).toList();
            assertThat(created.size() + inUse.size()).as(responses.toString()).isEqualTo(threads);
            assertThat(created).as(responses.toString()).isNotEmpty();
            assertThat(inUse).allSatisfy(r -> {
                assertThat(r.contentType()).startsWith(PROBLEM_JSON);
                assertThat(r.json().path("code").asText()).as(r.toString()).isEqualTo("IDEMPOTENCY_KEY_IN_USE");
            });
            Set<String> ids = created.stream().map(r -> r.json().path("id").asText()).collect(Collectors.toSet());
            assertThat(ids).as(responses.toString()).hasSize(1);
            assertThat(created.stream().filter(r -> r.header(REPLAYED) == null)).as("exactly one ran").hasSize(1);
        } finally {
            pool.shutdownNow();
        }

        List<JsonNode> all = all(t.key(), users(t.id()));
        assertThat(all).hasSize(1);
        assertThat(all.get(0).path("email").asText()).isEqualTo(email);

        // once settled, every retry is the replayed 201
        Api.Response later = post(t.key(), users(t.id()), body, key);
        assertThat(later.status()).isEqualTo(201);
        assertThat(later.header(REPLAYED)).isEqualTo("true");
        assertThat(later.json().path("id").asText()).isEqualTo(all.get(0).path("id").asText());
    }

    @Test
    void theKeyIsAtMost255Characters() {
        Fixtures.Tenant t = tenant("enterprise");
        Api.Response tooLong = post(t.key(), users(t.id()), map("email", uniqueEmail("long"), "name", "Long",
                "role", "member"), "k".repeat(256));
        expectProblem(tooLong, 400, "INVALID_IDEMPOTENCY_KEY");
        assertThat(all(t.key(), users(t.id()))).isEmpty();

        Map<String, Object> body = map("email", uniqueEmail("max"), "name", "Max", "role", "member");
        String longest = "k".repeat(240) + UUID.randomUUID().toString().substring(0, 15);
        assertThat(longest).hasSize(255);
        expect(post(t.key(), users(t.id()), body, longest), 201);
        Api.Response again = post(t.key(), users(t.id()), body, longest);
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.header(REPLAYED)).isEqualTo("true");
        assertThat(all(t.key(), users(t.id()))).hasSize(1);
    }

    @Test
    void withoutAKeyEveryRequestRuns() {
        Fixtures.Tenant t = tenant("enterprise");
        Map<String, Object> body = map("email", uniqueEmail("plain"), "name", "Plain", "role", "member");
        expect(as(t.key(), "POST", users(t.id()), body), 201);
        Api.Response again = as(t.key(), "POST", users(t.id()), body);
        expectProblem(again, 409, "EMAIL_TAKEN");
        assertThat(again.header(REPLAYED)).isNull();
    }
}
