package io.celaest.server.licensing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.celaest.server.support.Api;
import io.celaest.server.support.Fixtures;
import io.celaest.server.system.SubscribingRebuilds;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Rebuilding the licensing read models (a subscribing processing group) from the event log through
 * {@code POST /api/v1/admin/processors/licensing/replay}: corrupted tables come back exactly as they were, commands
 * racing the rebuild are neither lost nor applied twice, validations keep answering while it runs, and the cached
 * license state of the validation hot path follows the corrected rows.
 */
class LicensingRebuildTest extends LicensingTestSupport {

    @Autowired
    SubscribingRebuilds rebuilds;

    private static final String STATUS = "/api/v1/admin/processors/licensing";
    private static final String REPLAY = STATUS + "/replay";
    private static final List<String> TABLES = List.of("subscription_plans", "licenses", "license_ip_bindings",
            "license_collisions", "license_usage_log");

    @Test
    void aRebuildRestoresCorruptedTablesRowForRow() throws Exception {
        // a plan, and licenses with a history in every licensing table
        String plan = "rebuild-" + UUID.randomUUID().toString().substring(0, 8);
        Api.Response created = asAdmin("POST", "/api/v1/plans", Map.of("code", plan, "name", "Rebuild",
                "billingCycle", "monthly", "price", "19.00", "currency", "EUR", "limits", Map.of("maxUsers", 3,
                        "maxAiRequestsPerMonth", 500, "maxStorageGb", 5, "maxIpBindings", 3, "maxConcurrentIps", 3,
                        "collisionPolicy", "flag", "bindingTtlDays", 30)));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(asAdmin("PATCH", "/api/v1/plans/" + plan, Map.of("price", "21.00")).status()).isEqualTo(204);

        Fixtures.Tenant tenant = tenant();
        Issued flagged = perpetual(tenant.id(), Map.of("maxIpBindings", 10, "maxConcurrentIps", 2,
                "collisionPolicy", "flag"));
        for (String ip : List.of("127.0.41.1", "127.0.41.2", "127.0.41.3")) {
            assertThat(code(validate(ip, flagged.key(), null, null))).isEqualTo("VALID");
        }
        String collisions = "/api/v1/licenses/" + flagged.id() + "/collisions";
        JsonNode collision = await().atMost(Duration.ofSeconds(20)).until(() -> get(tenant.key(), collisions),
                page -> page.get("items").size() == 1).get("items").get(0);
        assertThat(api().call("POST", collisions + "/" + collision.get("id").asText() + "/resolve", tenant.key(),
                Map.of("note", "same office")).status()).isEqualTo(204);
        for (int quantity : List.of(5, 7)) {
            Api.Response usage = api().call("POST", "/api/v1/licenses/" + flagged.id() + "/usage", tenant.key(),
                    Map.of("metric", "ai_requests", "quantity", quantity));
            assertThat(usage.status()).as(usage.toString()).isEqualTo(200);
        }

        Issued trial = issue(tenant.id(), "professional", "trial", Instant.now().plus(Duration.ofDays(30)), null);
        assertThat(code(validate("127.0.41.9", trial.key(), "rebuild-device-a", null))).isEqualTo("VALID");
        assertThat(asAdmin("POST", "/api/v1/licenses/" + trial.id() + "/plan", Map.of("plan", plan)).status())
                .isEqualTo(204);

        Issued suspended = perpetual(tenant.id(), null);
        assertThat(code(validate("127.0.41.20", suspended.key(), null, null))).isEqualTo("VALID");
        assertThat(asAdmin("POST", "/api/v1/licenses/" + suspended.id() + "/suspend", Map.of("reason", "unpaid"))
                .status()).isEqualTo(204);

        Map<String, Map<String, JsonNode>> before = snapshot(tenant.id());
        assertThat(before.get("licenses")).hasSize(3);
        assertThat(before.get("license_ip_bindings")).hasSize(5);
        assertThat(before.get("license_collisions")).hasSize(1);
        assertThat(before.get("license_usage_log")).hasSize(2);
        assertThat(before.get("subscription_plans")).containsKey(plan);
        String lostBinding = rowId(before.get("license_ip_bindings"), "value", "127.0.41.2");

        // corrupt every table
        try (Connection db = database.connect(); Statement sql = db.createStatement()) {
            assertThat(sql.executeUpdate("DELETE FROM licenses WHERE id = '" + trial.id() + "'")).isEqualTo(1);
            assertThat(sql.executeUpdate("UPDATE licenses SET status = 'active', suspension_reason = NULL WHERE id = '"
                    + suspended.id() + "'")).isEqualTo(1);
            assertThat(sql.executeUpdate("DELETE FROM license_ip_bindings WHERE id = '" + lostBinding + "'"))
                    .isEqualTo(1);
            assertThat(sql.executeUpdate("UPDATE license_collisions SET resolved_at = NULL, resolution_note = NULL "
                    + "WHERE license_id = '" + flagged.id() + "'")).isEqualTo(1);
            assertThat(sql.executeUpdate("DELETE FROM license_usage_log WHERE license_id = '" + flagged.id()
                    + "' AND quantity = 7")).isEqualTo(1);
            assertThat(sql.executeUpdate("UPDATE subscription_plans SET price = 1.00 WHERE code = '" + plan + "'"))
                    .isEqualTo(1);
        }
        // the validation hot path loads and caches the corrupted state: a suspended license that looks active, a
        // license whose row is gone (its key is remembered as unknown)
        assertThat(code(validate("127.0.41.20", suspended.key(), null, null))).isEqualTo("VALID");
        assertThat(code(validate("127.0.41.9", trial.key(), "rebuild-device-a", null))).isEqualTo("NOT_FOUND");
        assertThat(get(tenant.key(), "/api/v1/licenses/" + suspended.id()).get("status").asText()).isEqualTo("active");

        long lastIndex = headIndex();
        Instant requested = Instant.now();
        Api.Response replay = asAdmin("POST", REPLAY, null);
        assertThat(replay.status()).as(replay.toString()).isEqualTo(202);
        assertThat(replay.json().get("name").asText()).isEqualTo("licensing");
        assertThat(replay.json().get("mode").asText()).isEqualTo("subscribing");
        JsonNode done = awaitRebuilt();
        assertThat(done.get("replayProgress").isNull()).as(done.toString()).isTrue();
        assertThat(done.get("position").asLong()).isEqualTo(done.get("head").asLong());
        assertThat(done.get("lag").asLong()).isZero();

        Map<String, Map<String, JsonNode>> after = snapshot(tenant.id());
        // rows the rebuild corrected carry its time as updated_at, so every node's cache of them is dropped; every
        // other column of every row, and every column of the rows it did not change, is as before the corruption
        Set<String> corrected = Set.of(flagged.id(), trial.id(), suspended.id(), plan);
        for (String table : TABLES) {
            assertThat(after.get(table).keySet()).as(table).isEqualTo(before.get(table).keySet());
            before.get(table).forEach((id, row) -> {
                JsonNode rebuilt = after.get(table).get(id);
                if (corrected.contains(id)) {
                    assertThat(timestamp(rebuilt, "updated_at")).as(table + " " + id)
                            .isAfter(timestamp(row, "updated_at")).isAfter(requested.minusSeconds(1));
                    assertThat(without(rebuilt, "updated_at")).as(table + " " + id).isEqualTo(without(row, "updated_at"));
                } else {
                    assertThat(rebuilt).as(table + " " + id).isEqualTo(row);
                }
            });
        }
        JsonNode restored = get(tenant.key(), "/api/v1/licenses/" + suspended.id());
        assertThat(restored.get("status").asText()).isEqualTo("suspended");
        assertThat(restored.get("suspensionReason").asText()).isEqualTo("unpaid");
        assertThat(get(tenant.key(), "/api/v1/licenses/" + trial.id()).get("plan").asText()).isEqualTo(plan);

        // the hot path drops what it cached from the corrupted rows within its change poll
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(code(validate("127.0.41.20", suspended.key(), null, null))).isEqualTo("SUSPENDED");
            assertThat(code(validate("127.0.41.9", trial.key(), "rebuild-device-a", null))).isEqualTo("VALID");
        });

        // recorded like the streaming processors' replays
        JsonNode started = awaitSystemEvent("ReplayStarted", lastIndex, requested);
        JsonNode finished = awaitSystemEvent("ReplayFinished", lastIndex, requested);
        assertThat(finished.get("eventGlobalIndex").asLong()).isGreaterThan(started.get("eventGlobalIndex").asLong());
        assertThat(finished.path("details").path("position").asLong()).isPositive();
        assertThat(finished.path("details").path("durationMillis").asLong()).isNotNegative();
    }

    @Test
    void commandsRacingTheRebuildAreNeitherLostNorAppliedTwiceAndValidationsKeepAnswering() throws Exception {
        Fixtures.Tenant tenant = tenant();
        Issued slow = perpetual(tenant.id(), null);
        for (int i = 0; i < 4; i++) {
            assertThat(api().call("POST", "/api/v1/licenses/" + slow.id() + "/usage", tenant.key(),
                    Map.of("metric", "ai_requests", "quantity", 1)).status()).isEqualTo(200);
        }
        List<String> waiting = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            waiting.add(perpetual(tenant.id(), null).id());
        }
        // a device bound by hand: its first validation refreshes the binding's last use
        Issued device = perpetual(tenant.id(), null);
        assertThat(api().call("POST", "/api/v1/licenses/" + device.id() + "/bindings", tenant.key(),
                Map.of("kind", "ip", "value", "127.0.42.50")).status()).isEqualTo(201);
        Map<String, String> expected = new ConcurrentHashMap<>();
        expected.put(slow.id(), "active");
        expected.put(device.id(), "active");
        waiting.forEach(id -> expected.put(id, "active"));

        // The rebuild's last step, writing the live rows back, sleeps on each of these (missing) usage rows: a
        // window of seconds with the licensing tables locked.
        try (Connection db = database.connect(); Statement sql = db.createStatement()) {
            assertThat(sql.executeUpdate("DELETE FROM license_usage_log WHERE license_id = '" + slow.id() + "'"))
                    .isEqualTo(4);
        }
        slowDownInsertsOf(slow.id());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicBoolean rebuilding = new AtomicBoolean(true);
        AtomicInteger heldUp = new AtomicInteger();
        // Before that, this test holds one of the tables (as a writer would), so the rebuild replays and then
        // waits for its lock: commands go through meanwhile and must be caught up with.
        Connection writer = database.connect();
        try {
            writer.setAutoCommit(false);
            try (Statement sql = writer.createStatement()) {
                sql.execute("LOCK TABLE license_collisions IN ROW EXCLUSIVE MODE");
            }
            Api.Response replay = asAdmin("POST", REPLAY, null);
            assertThat(replay.status()).as(replay.toString()).isEqualTo(202);
            assertThat(replay.json().get("replaying").asBoolean()).as(replay.toString()).isTrue();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> locks("license_collisions", false) > 0);

            List<Future<?>> beforeTheLock = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                beforeTheLock.add(pool.submit(() -> {
                    for (int round = 0; round < 2; round++) {
                        issueAndMaybeSuspend(tenant.id(), round, expected, heldUp);
                        suspend(waiting.get(thread * 2 + round));
                        expected.put(waiting.get(thread * 2 + round), "suspended");
                    }
                    return null;
                }));
            }
            for (Future<?> done : beforeTheLock) {
                done.get(60, TimeUnit.SECONDS);
            }
            // visible while it runs, and a second replay is refused
            JsonNode running = status(STATUS);
            assertThat(running.get("replaying").asBoolean()).as(running.toString()).isTrue();
            assertThat(running.get("replayProgress").asDouble()).isPositive().isLessThan(1.0);
            assertThat(running.get("segments")).isEmpty();
            JsonNode listed = null;
            for (JsonNode processor : status("/api/v1/admin/processors")) {
                if (processor.get("name").asText().equals("licensing")) {
                    listed = processor;
                }
            }
            assertThat(listed).isNotNull();
            assertThat(listed.get("replaying").asBoolean()).isTrue();
            Api.Response again = asAdmin("POST", REPLAY, null);
            assertThat(again.status()).as(again.toString()).isEqualTo(409);
            assertThat(again.json().get("code").asText()).isEqualTo("REPLAY_IN_PROGRESS");

            // now commands race the locked part: they wait for it and apply themselves on top
            List<Future<?>> racing = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                racing.add(pool.submit(() -> {
                    for (int round = 0, extra = 0; extra < 2; round++) {
                        if (!rebuilding.get()) {
                            extra++;
                        }
                        issueAndMaybeSuspend(tenant.id(), round, expected, heldUp);
                    }
                    return null;
                }));
            }
            writer.commit();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> locks("license_usage_log", true) > 0);
            // validations keep answering while the tables are locked (the binding's refresh is skipped)
            long validationStarted = System.nanoTime();
            assertThat(code(validate("127.0.42.50", device.key(), null, null))).isEqualTo("VALID");
            assertThat(code(validate("127.0.42.50", device.key(), null, null))).isEqualTo("VALID");
            assertThat(Duration.ofNanos(System.nanoTime() - validationStarted)).isLessThan(Duration.ofSeconds(1));
            assertThat(rebuilds.progress("licensing")).as("validated while the rebuild ran").isPresent();
            assertThat(locks("license_usage_log", true)).isPositive();

            awaitRebuilt();
            rebuilding.set(false);
            for (Future<?> done : racing) {
                done.get(60, TimeUnit.SECONDS);
            }
        } finally {
            rebuilding.set(false);
            writer.close();
            pool.shutdownNow();
            dropSlowDown();
        }
        assertThat(heldUp.get()).as("commands that waited for the rebuild's lock").isPositive();

        // every license: its row, the read model's answer (GET) and its event stream agree
        Map<String, String> rows = new HashMap<>();
        try (Connection db = database.connect();
             PreparedStatement select = db.prepareStatement(
                     "SELECT id, status FROM licenses WHERE organization_id = ?")) {
            select.setObject(1, UUID.fromString(tenant.id()));
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        assertThat(rows).isEqualTo(expected);
        for (Map.Entry<String, String> license : expected.entrySet()) {
            assertThat(get(tenant.key(), "/api/v1/licenses/" + license.getKey()).get("status").asText())
                    .as(license.getKey()).isEqualTo(license.getValue());
            JsonNode state = get(ADMIN_KEY, "/api/v1/audit/aggregates/license/" + license.getKey() + "/state");
            assertThat(state.path("state").path("status").asText()).as(state.toString())
                    .isEqualToIgnoringCase(license.getValue());
        }
        // the missing usage rows and the hand-made binding are back
        assertThat(get(tenant.key(), "/api/v1/licenses/" + slow.id() + "/usage").get("metrics").get(0).get("used")
                .asLong()).isEqualTo(4);
        assertThat(get(tenant.key(), "/api/v1/licenses/" + device.id() + "/bindings")).hasSize(1);
    }

    @Test
    void onlyThePlatformOperatorRebuildsAndOnlyGroupsWithAReadModel() {
        Fixtures.Tenant tenant = tenant();
        Api.Response forbidden = api().call("POST", REPLAY, tenant.key(), null);
        assertThat(forbidden.status()).as(forbidden.toString()).isEqualTo(403);
        assertThat(api().call("GET", STATUS, tenant.key(), null).status()).isEqualTo(403);

        Api.Response caches = asAdmin("POST", "/api/v1/admin/processors/local-caches/replay", null);
        assertThat(caches.status()).as(caches.toString()).isEqualTo(409);
        assertThat(caches.json().get("code").asText()).isEqualTo("REPLAY_UNSUPPORTED");
        assertThat(caches.json().get("detail").asText()).contains("local-caches").contains("no read model");

        JsonNode listed = status("/api/v1/admin/processors");
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        listed.forEach(p -> byName.put(p.get("name").asText(), p));
        assertThat(byName).containsKeys("licensing", "local-caches", "organizations");
        assertThat(byName.get("licensing").get("mode").asText()).isEqualTo("subscribing");
        assertThat(byName.get("local-caches").get("replaying").asBoolean()).isFalse();
        assertThat(byName.get("organizations").get("mode").asText()).isEqualTo("pooled");
    }

    // --- helpers ---

    /** Issues a license (noting whether it waited for the rebuild's lock) and suspends it on even rounds. */
    private void issueAndMaybeSuspend(String organizationId, int round, Map<String, String> expected,
                                      AtomicInteger heldUp) {
        long sent = System.nanoTime();
        Issued issued = perpetual(organizationId, null);
        if (System.nanoTime() - sent > TimeUnit.MILLISECONDS.toNanos(300)) {
            heldUp.incrementAndGet();
        }
        expected.put(issued.id(), "active");
        if (round % 2 == 0) {
            suspend(issued.id());
            expected.put(issued.id(), "suspended");
        }
    }

    /** Table locks of the given mode held (granted) or awaited by other sessions: the rebuild's. */
    private long locks(String table, boolean granted) throws SQLException {
        try (Connection db = database.connect();
             PreparedStatement select = db.prepareStatement("SELECT count(*) FROM pg_locks WHERE locktype = 'relation' "
                     + "AND relation = ?::regclass AND mode = 'ExclusiveLock' AND granted = ?")) {
            select.setString(1, table);
            select.setBoolean(2, granted);
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private void suspend(String licenseId) {
        Api.Response suspended = asAdmin("POST", "/api/v1/licenses/" + licenseId + "/suspend",
                Map.of("reason", "race"));
        assertThat(suspended.status()).as(suspended.toString()).isEqualTo(204);
    }

    private JsonNode status(String path) {
        Api.Response response = asAdmin("GET", path, null);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    private JsonNode awaitRebuilt() {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> status(STATUS), s -> !s.get("replaying").asBoolean());
    }

    private JsonNode awaitSystemEvent(String type, long afterIndex, Instant notBefore) {
        String path = "/api/v1/system-events?type=" + type + "&limit=100&from=" + notBefore.minusSeconds(5);
        return await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (JsonNode event : status(path).get("items")) {
                if (event.get("eventGlobalIndex").asLong() > afterIndex
                        && "licensing".equals(event.get("processor").asText())) {
                    return event;
                }
            }
            return null;
        }, java.util.Objects::nonNull);
    }

    private long headIndex() throws SQLException {
        try (Connection db = database.connect(); Statement sql = db.createStatement();
             ResultSet rs = sql.executeQuery("SELECT coalesce(max(global_index), 0) FROM domain_event_entry")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Every licensing row of the organization (and every plan) as JSON, by primary key. */
    private Map<String, Map<String, JsonNode>> snapshot(String organizationId) throws Exception {
        Map<String, Map<String, JsonNode>> tables = new LinkedHashMap<>();
        try (Connection db = database.connect()) {
            for (String table : TABLES) {
                String key = table.equals("subscription_plans") ? "code" : "id";
                String where = table.equals("subscription_plans") ? "" : " WHERE organization_id = ?";
                Map<String, JsonNode> rows = new LinkedHashMap<>();
                try (PreparedStatement select = db.prepareStatement(
                        "SELECT " + key + "::text, to_jsonb(t)::text FROM " + table + " t" + where)) {
                    if (!where.isEmpty()) {
                        select.setObject(1, UUID.fromString(organizationId));
                    }
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            rows.put(rs.getString(1), Api.JSON.readTree(rs.getString(2)));
                        }
                    }
                }
                tables.put(table, Collections.unmodifiableMap(rows));
            }
        }
        return tables;
    }

    private static String rowId(Map<String, JsonNode> rows, String field, String value) {
        return rows.entrySet().stream().filter(e -> e.getValue().get(field).asText().equals(value))
                .map(Map.Entry::getKey).findFirst().orElseThrow();
    }

    private static JsonNode without(JsonNode row, String field) {
        ObjectNode copy = row.deepCopy();
        copy.remove(field);
        return copy;
    }

    private static Instant timestamp(JsonNode row, String field) {
        return OffsetDateTime.parse(row.get(field).asText()).toInstant();
    }

    /** A trigger that sleeps while this license's usage rows are inserted again: holds the rebuild (and its lock). */
    private void slowDownInsertsOf(String licenseId) throws SQLException {
        try (Connection db = database.connect(); Statement sql = db.createStatement()) {
            sql.execute("""
                    CREATE OR REPLACE FUNCTION test_slow_rebuild() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF NEW.license_id = '%s' THEN
                            PERFORM pg_sleep(0.75);
                        END IF;
                        RETURN NEW;
                    END $$""".formatted(UUID.fromString(licenseId)));
            sql.execute("CREATE TRIGGER test_slow_rebuild BEFORE INSERT ON license_usage_log "
                    + "FOR EACH ROW EXECUTE FUNCTION test_slow_rebuild()");
        }
    }

    private void dropSlowDown() throws SQLException {
        try (Connection db = database.connect(); Statement sql = db.createStatement()) {
            sql.execute("DROP TRIGGER IF EXISTS test_slow_rebuild ON license_usage_log");
            sql.execute("DROP FUNCTION IF EXISTS test_slow_rebuild()");
        }
    }
}
