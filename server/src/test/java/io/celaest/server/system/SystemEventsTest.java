package io.celaest.server.system;

import com.fasterxml.jackson.databind.JsonNode;
import io.celaest.server.support.Api;
import io.celaest.server.support.Fixtures;
import io.celaest.server.support.PlatformTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * GET /api/v1/system-events end to end: what the platform itself did (start, migrations, replays, dead letters,
 * unhandled errors) is in the event log and visible to the platform operator only.
 */
class SystemEventsTest extends PlatformTest {

    static final String SYSTEM_EVENTS = "/api/v1/system-events";

    @Autowired
    SystemEvents systemEvents;

    @Autowired
    MigrationRecorder migrations;

    @Test
    void thisNodesStartAndTheSchemaMigrationsAreRecorded() throws Exception {
        JsonNode started = awaitEvent("type=NodeStarted", e -> systemEvents.nodeId().equals(e.path("nodeId").asText()));
        assertThat(started.path("details").path("host").asText()).isNotBlank();
        assertThat(started.path("details").path("version").asText()).isNotBlank();

        // the latest migration of the schema was applied by a node that recorded it (this one on a fresh database)
        String current;
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL "
                     + "ORDER BY installed_rank DESC LIMIT 1")) {
            assertThat(rs.next()).isTrue();
            current = rs.getString(1);
        }
        JsonNode applied = awaitEvent("type=MigrationsApplied",
                e -> current.equals(e.path("details").path("toVersion").asText()));
        assertThat(applied.path("details").path("count").asInt()).isPositive();
        if (migrations.applied() != null) {
            assertThat(applied.path("nodeId").asText()).isEqualTo(systemEvents.nodeId());
            assertThat(applied.path("details").path("count").asInt()).isEqualTo(migrations.applied().count());
        }
        // published outside any aggregate, by the system, and audited like every event
        try (Connection c = database.connect();
             PreparedStatement s = c.prepareStatement("SELECT aggregate_identifier, convert_from(meta_data, 'UTF8') "
                     + "FROM domain_event_entry WHERE event_identifier = ?")) {
            s.setString(1, started.path("eventIdentifier").asText());
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(2)).contains("\"actorKind\":\"system\"");
            }
        }
    }

    @Test
    void aReplayIsRecordedWhenItStartsAndWhenItHasCaughtUp() {
        long before = lastIndex();
        Api.Response replay = asAdmin("POST", "/api/v1/admin/processors/system_events/replay", null);
        assertThat(replay.status()).as(replay.toString()).isEqualTo(202);

        JsonNode started = awaitEvent("type=ReplayStarted", e -> e.path("eventGlobalIndex").asLong() > before
                && "system_events".equals(e.path("processor").asText()));
        JsonNode finished = awaitEvent("type=ReplayFinished", e -> e.path("eventGlobalIndex").asLong() > before
                && "system_events".equals(e.path("processor").asText()));
        assertThat(started.path("nodeId").asText()).isEqualTo(systemEvents.nodeId());
        assertThat(finished.path("nodeId").asText()).isEqualTo(systemEvents.nodeId());
        assertThat(finished.path("eventGlobalIndex").asLong()).isGreaterThan(started.path("eventGlobalIndex").asLong());
        assertThat(finished.path("details").path("position").asLong()).isGreaterThanOrEqualTo(before);
        assertThat(finished.path("details").path("durationMillis").asLong()).isNotNegative();
        // the rebuilt read model still holds what came before the replay
        assertThat(events("type=NodeStarted")).anySatisfy(
                e -> assertThat(e.path("nodeId").asText()).isEqualTo(systemEvents.nodeId()));
    }

    @Test
    void aNewDeadLetterIsReportedOnceEvenWhenReportedTwice() throws Exception {
        String deadLetterId = UUID.randomUUID().toString();
        String eventId = UUID.randomUUID().toString();
        try (Connection c = database.connect(); PreparedStatement s = c.prepareStatement("""
                INSERT INTO deadletterentry (deadletteridentifier, processinggroup, sequenceidentifier, sequenceindex,
                    messagetype, eventidentifier, "timestamp", payloadtype, payload, enqueuedat, lasttouched,
                    causetype, causemessage)
                VALUES (?, 'system_events_test', ?, 0, 'org.axonframework.eventhandling.GenericEventMessage', ?, ?,
                    'io.celaest.api.identity.OrganizationRenamed', '{}'::bytea, ?, ?, 'java.lang.IllegalStateException',
                    ?)""")) {
            String now = Instant.now().toString();
            s.setString(1, deadLetterId);
            s.setString(2, UUID.randomUUID().toString());
            s.setString(3, eventId);
            s.setString(4, now);
            s.setString(5, now);
            s.setString(6, now);
            s.setString(7, "projection failed\nwith details on a second line");
            s.executeUpdate();
        }
        try {
            JsonNode reported = awaitEvent("type=EventDeadLettered",
                    e -> deadLetterId.equals(e.path("details").path("deadLetterId").asText()));
            assertThat(reported.path("processor").asText()).isEqualTo("system_events_test");
            assertThat(reported.path("details").path("eventIdentifier").asText()).isEqualTo(eventId);
            assertThat(reported.path("details").path("causeType").asText()).isEqualTo("java.lang.IllegalStateException");
            assertThat(reported.path("details").path("cause").asText()).isEqualTo("projection failed");
            assertThat(reported.path("details").path("payloadType").asText())
                    .isEqualTo("io.celaest.api.identity.OrganizationRenamed");

            // another node reporting the same dead letter: kept once
            long before = lastIndex();
            systemEvents.deadLettered("system_events_test", deadLetterId, eventId, "x", "y", "again", Instant.now());
            String marker = UUID.randomUUID().toString();
            systemEvents.unhandledError("marker " + marker, new IllegalStateException("marker"), null);
            awaitEvent("type=UnhandledError", e -> ("marker " + marker).equals(e.path("details").path("where").asText()));
            assertThat(events("type=EventDeadLettered"))
                    .filteredOn(e -> deadLetterId.equals(e.path("details").path("deadLetterId").asText()))
                    .hasSize(1)
                    .allSatisfy(e -> assertThat(e.path("eventGlobalIndex").asLong()).isLessThanOrEqualTo(before));
        } finally {
            try (Connection c = database.connect();
                 PreparedStatement s = c.prepareStatement("DELETE FROM deadletterentry WHERE deadletteridentifier = ?")) {
                s.setString(1, deadLetterId);
                s.executeUpdate();
            }
        }
    }

    @Test
    void anUnhandledErrorIsRecordedWithItsCorrelationIdAndOnlyTheFirstLineOfItsMessage() {
        String where = "GET /api/v1/test/" + UUID.randomUUID();
        systemEvents.unhandledError(where, new RuntimeException("wrapper",
                new IllegalArgumentException("the real cause\nat some line")), "corr-" + UUID.randomUUID());
        JsonNode error = awaitEvent("type=UnhandledError", e -> where.equals(e.path("details").path("where").asText()));
        assertThat(error.path("details").path("exceptionType").asText()).isEqualTo("java.lang.IllegalArgumentException");
        assertThat(error.path("details").path("message").asText()).isEqualTo("the real cause");
        assertThat(error.path("correlationId").asText()).startsWith("corr-")
                .isEqualTo(error.path("details").path("correlationId").asText());
        assertThat(error.path("details").path("nodeId").asText()).isEqualTo(systemEvents.nodeId());
    }

    @Test
    void filtersNarrowAndPagesWalkInOrderWithoutGapsOrRepeats() {
        String prefix = "page-test " + UUID.randomUUID() + " ";
        for (int i = 0; i < 5; i++) {
            systemEvents.unhandledError(prefix + i, new IllegalStateException("e" + i), null);
        }
        awaitEvent("type=UnhandledError", e -> (prefix + 4).equals(e.path("details").path("where").asText()));
        List<JsonNode> mine = events("type=UnhandledError").stream()
                .filter(e -> e.path("details").path("where").asText().startsWith(prefix)).toList();
        assertThat(mine).extracting(e -> e.path("details").path("where").asText())
                .containsExactly(prefix + 0, prefix + 1, prefix + 2, prefix + 3, prefix + 4);

        // pages of 2 from just before the first: every entry once, ascending global index
        Instant from = Instant.parse(mine.get(0).path("occurredAt").asText());
        Instant to = Instant.parse(mine.get(4).path("occurredAt").asText());
        List<JsonNode> walked = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = ok(SYSTEM_EVENTS + "?type=UnhandledError&limit=2&from=" + from
                    + (cursor == null ? "" : "&cursor=" + encode(cursor)));
            assertThat(page.path("items").size()).isLessThanOrEqualTo(2);
            page.path("items").forEach(walked::add);
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
            pages++;
        } while (cursor != null && pages < 100);
        assertThat(walked.stream().filter(e -> e.path("details").path("where").asText().startsWith(prefix)))
                .hasSize(5);
        List<Long> indexes = walked.stream().map(e -> e.path("eventGlobalIndex").asLong()).toList();
        assertThat(indexes).isSorted().doesNotHaveDuplicates();
        assertThat(walked).allSatisfy(e -> {
            assertThat(e.path("type").asText()).isEqualTo("UnhandledError");
            assertThat(Instant.parse(e.path("occurredAt").asText())).isAfterOrEqualTo(from);
        });

        // [from, to): the last one is out; a type narrows
        assertThat(events("type=UnhandledError&from=" + from + "&to=" + to).stream()
                .filter(e -> e.path("details").path("where").asText().startsWith(prefix)))
                .hasSizeLessThanOrEqualTo(4) // all five may share one timestamp, then [from, to) is empty
                .noneMatch(e -> (prefix + 4).equals(e.path("details").path("where").asText()));
        assertThat(events("type=NodeStarted")).allSatisfy(e -> assertThat(e.path("type").asText()).isEqualTo("NodeStarted"));
        assertThat(events("to=" + Instant.parse("2000-01-01T00:00:00Z"))).isEmpty();
    }

    @Test
    void onlyThePlatformOperatorMaySeeThem() throws Exception {
        Fixtures.Tenant tenant = Fixtures.tenant(api(), "enterprise");
        String auditor = Fixtures.createKey(api(), tenant.id(), List.of("audit:read"));
        for (String key : List.of(tenant.key(), auditor)) {
            Api.Response denied = api().call("GET", SYSTEM_EVENTS, key, null);
            assertThat(denied.status()).as(denied.toString()).isEqualTo(403);
        }
        assertThat(api().call("GET", SYSTEM_EVENTS, null, null).status()).isEqualTo(401);
        assertThat(api().call("GET", SYSTEM_EVENTS, "cel_not_a_key", null).status()).isEqualTo(401);

        // underneath, the tenant reader role sees no row, even under a tenant; the platform reader sees them
        try (Connection c = database.connect()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCAL ROLE celaest_reader");
                s.execute("SELECT set_config('celaest.organization_id', '" + tenant.id() + "', true)");
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM system_events")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isZero();
                }
                s.execute("SET LOCAL ROLE celaest_platform_reader");
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM system_events")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isPositive();
                }
            } finally {
                c.rollback();
            }
        }
    }

    @Test
    void badFiltersAreBadRequests() {
        for (String query : List.of("type=node_started%3B", "type=DROP%20TABLE", "from=yesterday", "to=1",
                "cursor=garbage", "limit=0", "limit=201")) {
            Api.Response response = asAdmin("GET", SYSTEM_EVENTS + "?" + query, null);
            assertThat(response.status()).as(query + " -> " + response).isEqualTo(400);
            assertThat(response.contentType()).startsWith("application/problem+json");
        }
    }

    // --- helpers ---

    private JsonNode ok(String path) {
        Api.Response response = asAdmin("GET", path, null);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    /** Every system event matching the query string, all pages. */
    private List<JsonNode> events(String query) {
        List<JsonNode> items = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 1000; page++) {
            JsonNode body = ok(SYSTEM_EVENTS + "?limit=200" + (query.isEmpty() ? "" : "&" + query)
                    + (cursor == null ? "" : "&cursor=" + encode(cursor)));
            body.path("items").forEach(items::add);
            if (body.path("nextCursor").isNull()) {
                return items;
            }
            cursor = body.path("nextCursor").asText();
        }
        throw new AssertionError("pagination never ended");
    }

    private JsonNode awaitEvent(String query, Predicate<JsonNode> matching) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> events(query).stream().filter(matching).findFirst().orElse(null), found -> found != null);
    }

    /** The head of the event log. */
    private long lastIndex() {
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(max(global_index), 0) FROM domain_event_entry")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
