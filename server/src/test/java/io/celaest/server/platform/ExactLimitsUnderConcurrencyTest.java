package io.celaest.server.platform;

import io.celaest.server.support.Api;
import io.celaest.server.support.Fixtures;
import io.celaest.server.support.PlatformTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Limits and uniqueness hold exactly when many clients race for them through the REST API. */
class ExactLimitsUnderConcurrencyTest extends PlatformTest {

    @Test
    void twentyConcurrentUserAdditionsAgainstMaxUsersFiveLetExactlyFiveThrough() throws Exception {
        String org = Fixtures.createOrganization(api(), "starter");
        assertThat(asAdmin("GET", "/api/v1/organizations/" + org, null).json().get("maxUsers").asInt()).isEqualTo(5);

        List<Api.Response> answers = race(20, i -> asAdmin("POST", "/api/v1/organizations/" + org + "/users",
                Map.of("email", "user" + i + "@race.io", "name", "User " + i, "role", "member")));

        assertThat(answers).extracting(Api.Response::status).containsOnly(201, 409);
        assertThat(answers).filteredOn(r -> r.status() == 201).hasSize(5);
        assertThat(answers).filteredOn(r -> r.status() == 409)
                .allSatisfy(r -> assertThat(r.json().get("code").asText()).isEqualTo("MAX_USERS_REACHED"));
        Api.Response users = asAdmin("GET", "/api/v1/organizations/" + org + "/users?limit=100", null);
        assertThat(users.json().get("items")).hasSize(5);
        assertThat(asAdmin("GET", "/api/v1/organizations/" + org, null).json().get("activeUsers").asInt()).isEqualTo(5);
    }

    @Test
    void tenConcurrentCreationsOfOneSlugLetExactlyOneThrough() throws Exception {
        String slug = Fixtures.uniqueSlug("race");

        List<Api.Response> answers = race(10, i -> asAdmin("POST", "/api/v1/organizations",
                Map.of("name", "Racer " + i, "slug", slug, "plan", "starter")));

        assertThat(answers).extracting(Api.Response::status).containsOnly(201, 409);
        assertThat(answers).filteredOn(r -> r.status() == 201).hasSize(1);
        assertThat(answers).filteredOn(r -> r.status() == 409)
                .allSatisfy(r -> assertThat(r.json().get("code").asText()).isEqualTo("SLUG_TAKEN"));
    }

    @Test
    void concurrentAdditionsOfOneEmailLetExactlyOneThrough() throws Exception {
        String org = Fixtures.createOrganization(api(), "enterprise");

        List<Api.Response> answers = race(10, i -> asAdmin("POST", "/api/v1/organizations/" + org + "/users",
                Map.of("email", i % 2 == 0 ? "same@race.io" : "SAME@race.io", "name", "Same", "role", "member")));

        assertThat(answers).filteredOn(r -> r.status() == 201).hasSize(1);
        assertThat(answers).filteredOn(r -> r.status() == 409).hasSize(9);
    }

    /** Starts n calls at the same instant and returns every answer. */
    private static List<Api.Response> race(int n, java.util.function.IntFunction<Api.Response> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Api.Response>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                Callable<Api.Response> task = () -> {
                    start.await();
                    return call.apply(index);
                };
                futures.add(pool.submit(task));
            }
            start.countDown();
            List<Api.Response> answers = new ArrayList<>();
            for (Future<Api.Response> future : futures) {
                answers.add(future.get());
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }
}
