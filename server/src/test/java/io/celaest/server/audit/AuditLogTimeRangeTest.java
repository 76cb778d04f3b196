package io.celaest.server.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.celaest.server.support.Api;
import io.celaest.server.support.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * from/to are answered through a global-index range (the per-hour summary audit_log_hours, V10) and index walks:
 * the answer must still be exactly the rows with from <= occurred_at < to, in global-index order, for logs where
 * time and global index do not rise together (late imports of old entries, shuffled times), at the exact edge
 * instants (microseconds), across hour boundaries, through small pages and in the export, for the platform
 * operator and for the organization's own auditor, and never another organization's rows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditLogTimeRangeTest extends AuditTestSupport {

    private static final Instant T0 = Instant.parse("2021-03-01T10:00:00Z");

    private Fixtures.Tenant tenant;
    private String auditor;
    private final String other = UUID.randomUUID().toString();
    private final List<Instant> instants = new ArrayList<>();

    @BeforeAll
    void insertRows() throws Exception {
        tenant = tenant();
        auditor = Fixtures.createKey(api(), tenant.id(), List.of("audit:read"));
        // negative global indexes: never the index of a real event, unique per run
        long base = -ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE / 4_000_000) * 1_000_000;
        Random random = new Random(42);
        try (Connection c = database.connect();
             PreparedStatement s = c.prepareStatement("""
                     INSERT INTO audit_logs (id, event_global_index, event_identifier, occurred_at, organization_id,
                                             actor_kind, action, resource_type, outcome, event_type)
                     VALUES (gen_random_uuid(), ?, 'range-' || ?, ?, ?::uuid, 'system', 'update', 'range', 'success',
                             'RangeTested')""")) {
            long index = base;
            // A: 300 rows rising with the index, 37 s apart (crosses hour boundaries), each with some microseconds
            for (int i = 0; i < 300; i++) {
                index += 1 + random.nextInt(3);
                add(s, index, T0.plusSeconds(37L * i).plusNanos(1000L * random.nextInt(1_000_000)));
            }
            // B: a late import of older entries (earlier times at higher indexes), far away in the log
            index += 100_000;
            for (int i = 0; i < 60; i++) {
                add(s, ++index, T0.minusSeconds(86_400).plusSeconds(61L * i));
            }
            // C: shuffled times inside A's span
            index += 5_000;
            for (int i = 0; i < 80; i++) {
                add(s, ++index, T0.plusSeconds(random.nextInt(37 * 300)).plusNanos(1000L * random.nextInt(1_000_000)));
            }
            // D: rows exactly on the edges used below, and 1 µs either side of them
            for (Instant edge : List.of(T0.plusSeconds(1800), T0.plusSeconds(7200), T0.plusSeconds(3600))) {
                for (long micros : new long[]{-1, 0, 1}) {
                    add(s, ++index, edge.plusNanos(micros * 1000));
                }
            }
            s.executeBatch();
        }
    }

    private void add(PreparedStatement s, long index, Instant at) throws Exception {
        instants.add(at);
        for (String organization : List.of(tenant.id(), other)) {
            s.setLong(1, organization.equals(other) ? 2 * index + 1 : 2 * index); // interleaved in the log
            s.setString(2, organization + "-" + index);
            s.setTimestamp(3, Timestamp.from(at));
            s.setString(4, organization);
            s.addBatch();
        }
    }

    @AfterAll
    void deleteRows() throws Exception {
        try (Connection c = database.connect();
             PreparedStatement s = c.prepareStatement(
                     "DELETE FROM audit_logs WHERE organization_id IN (?::uuid, ?::uuid)")) {
            s.setString(1, tenant.id());
            s.setString(2, other);
            s.executeUpdate();
        }
    }

    @Test
    void fromToAnswersExactlyTheRowsOfTheIntervalInLogOrder() throws Exception {
        List<Instant[]> windows = new ArrayList<>();
        windows.add(new Instant[]{T0.plusSeconds(1800), T0.plusSeconds(7200)});   // edges hold rows, ±1 µs too
        windows.add(new Instant[]{T0.plusSeconds(3600), T0.plusSeconds(3600)});   // empty interval
        windows.add(new Instant[]{T0.plusSeconds(3600), T0.plusSeconds(3600).plusNanos(1000)}); // one microsecond
        windows.add(new Instant[]{T0.minusSeconds(86_400), T0});                  // only the late import
        windows.add(new Instant[]{T0.minusSeconds(3600), T0.plusSeconds(900)});   // A's first quarter hour and C
        windows.add(new Instant[]{T0.plusSeconds(7200), null});                   // from only
        windows.add(new Instant[]{null, T0.plusSeconds(1800)});                   // to only
        windows.add(new Instant[]{Instant.parse("2019-01-01T00:00:00Z"), Instant.parse("2019-01-02T00:00:00Z")});
        Random random = new Random(7);
        for (int i = 0; i < 12; i++) {                                            // edges on existing rows
            Instant a = instants.get(random.nextInt(instants.size()));
            Instant b = instants.get(random.nextInt(instants.size()));
            windows.add(a.isBefore(b) ? new Instant[]{a, b} : new Instant[]{b, a});
        }
        for (Instant[] window : windows) {
            List<Long> expected = expected(window[0], window[1]);
            String range = (window[0] == null ? "" : "&from=" + window[0]) + (window[1] == null ? "" : "&to=" + window[1]);
            assertThat(pagesOf(ADMIN_KEY, "organizationId=" + tenant.id() + range))
                    .as("operator, %s", range).containsExactlyElementsOf(expected);
            assertThat(pagesOf(auditor, range.isEmpty() ? "" : range.substring(1)))
                    .as("organization's auditor, %s", range).containsExactlyElementsOf(expected);
            assertThat(export("organizationId=" + tenant.id() + range))
                    .as("export, %s", range).containsExactlyElementsOf(expected);
        }
        assertThat(expected(T0.plusSeconds(1800), T0.plusSeconds(7200))).hasSizeGreaterThan(150);
    }

    /** The truth, straight from the table as its owner. */
    private List<Long> expected(Instant from, Instant to) throws Exception {
        try (Connection c = database.connect();
             PreparedStatement s = c.prepareStatement("""
                     SELECT event_global_index FROM audit_logs WHERE organization_id = ?::uuid AND event_type = 'RangeTested'
                       AND (?::timestamptz IS NULL OR occurred_at >= ?) AND (?::timestamptz IS NULL OR occurred_at < ?)
                     ORDER BY event_global_index""")) {
            s.setString(1, tenant.id());
            Timestamp f = from == null ? null : Timestamp.from(from);
            Timestamp t = to == null ? null : Timestamp.from(to);
            s.setTimestamp(2, f);
            s.setTimestamp(3, f);
            s.setTimestamp(4, t);
            s.setTimestamp(5, t);
            List<Long> indexes = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    indexes.add(rs.getLong(1));
                }
            }
            return indexes;
        }
    }

    /** Every page of 7 entries, following the cursor; only this test's rows (the tenant's real events are later). */
    private List<Long> pagesOf(String token, String query) {
        List<Long> indexes = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 1000; page++) {
            String url = AUDIT_LOGS + "?limit=7" + (query.isEmpty() ? "" : "&" + query)
                    + (cursor == null ? "" : "&cursor=" + encode(cursor));
            JsonNode body = expect(as(token, "GET", url, null), 200);
            for (JsonNode item : body.path("items")) {
                assertThat(item.path("organizationId").asText()).isEqualTo(tenant.id());
                if ("RangeTested".equals(item.path("eventType").asText())) {
                    indexes.add(item.path("eventGlobalIndex").asLong());
                }
            }
            if (body.path("nextCursor").isNull()) {
                return indexes;
            }
            cursor = body.path("nextCursor").asText();
        }
        throw new AssertionError("pagination never ended");
    }

    private List<Long> export(String query) throws Exception {
        Api.Response response = as(ADMIN_KEY, "GET", AUDIT_LOGS + "/export?format=jsonl&" + query, null);
        assertThat(response.status()).isEqualTo(200);
        List<Long> indexes = new ArrayList<>();
        for (String line : response.text().split("\n")) {
            if (!line.isBlank()) {
                JsonNode entry = Api.JSON.readTree(line);
                if ("RangeTested".equals(entry.path("eventType").asText())) {
                    indexes.add(entry.path("eventGlobalIndex").asLong());
                }
            }
        }
        return indexes;
    }
}
